import { Injectable } from '@nestjs/common';

/**
 * News about this instance's link to the other instances (Redis), from the Socket.IO adapter (which lives outside
 * the module graph) to the gateway.
 */
@Injectable()
export class RedisLink {
  private readonly restoredListeners = new Set<() => void>();

  /** Called when the link is back after a loss: events of other instances may have been missed meanwhile. */
  onRestored(listener: () => void): () => void {
    this.restoredListeners.add(listener);
    return () => this.restoredListeners.delete(listener);
  }

  restored(): void {
    for (const listener of this.restoredListeners) listener();
  }
}
