import { fork, type ChildProcess } from 'node:child_process';

type Reply = { id: number; result?: unknown; error?: string } | { event: string };

/** A load generator in a child process of its own, driven by request/response over IPC. */
export class ChildWorker<C extends { type: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Set<(event: Record<string, unknown>) => void>();
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: Reply) => {
      if ('event' in message) {
        for (const listener of this.listeners) listener(message);
        return;
      }
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${code ?? signal}) before answering`));
        this.pending.clear();
        resolve();
      });
    });
  }

  /** `script` is a compiled worker module; `serialization: 'advanced'` moves large sample arrays cheaply. */
  static start<C extends { type: string }>(name: string, script: string): ChildWorker<C> {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', execArgv: [] });
    return new ChildWorker<C>(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(command: C, timeoutMs = 600_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, ...command });
    });
  }

  onEvent(listener: (event: Record<string, unknown>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the child: it exits when its IPC channel closes; killed if it has not after a few seconds. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Worker side: answers each command with its handler's result (or error), and exits when the bench goes away. */
export function serveCommands<C extends { type: string }>(handle: (command: C) => Promise<unknown>): void {
  process.on('message', (message: { id: number } & C) => {
    handle(message).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

export function sendEvent<E extends { event: string }>(event: E): void {
  process.send?.(event);
}
