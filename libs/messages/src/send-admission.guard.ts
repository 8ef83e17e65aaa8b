import { Injectable, type CanActivate } from '@nestjs/common';
import { MessageSendQueue } from './send-queue.js';

/**
 * Refuses a send with `overloaded` before anything else is done with it (guards run ahead of validation), so that
 * refusing costs little when the server is saturated. REST and Socket.IO sends both use it.
 */
@Injectable()
export class SendAdmissionGuard implements CanActivate {
  constructor(private readonly queue: MessageSendQueue) {}

  canActivate(): boolean {
    this.queue.admit();
    return true;
  }
}
