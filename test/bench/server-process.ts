import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/ports.js';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function healthReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export interface ServerOptions {
  label: string;
  script: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Parley answers /health/ready; the relay is ready when it accepts connections. */
  readiness: 'health' | 'tcp';
  startTimeoutMs?: number;
}

/** A server under test in a child process of its own: Parley (dist/apps/api/src/main.js) or the bare relay. */
export class ServerProcess {
  private readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(options: ServerOptions): Promise<ServerProcess> {
    const port = await freePort();
    // A clean environment: nothing of the bench's own (DATABASE_URL, REDIS_URL…) leaks into the server.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env, PORT: String(port) };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(options.label, port, child);
    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    let exitCode: number | null | undefined;
    void server.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`${options.label} exited with ${exitCode} while starting:\n${server.recentOutput()}`);
      const ready = options.readiness === 'health' ? await healthReady(server.baseUrl) : await accepts(port);
      if (ready) return server;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${options.label} was not ready within ${options.startTimeoutMs ?? 120_000} ms:\n${server.recentOutput()}`);
      }
      await sleep(100);
    }
  }

  /** Resident memory of the server process, from /proc (KiB). */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return Number(match[1]);
  }

  recentOutput(): string {
    return this.output.slice(-40).join('\n');
  }

  /** SIGTERM (Parley drains and closes), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
