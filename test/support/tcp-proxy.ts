import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How an outage looks to the application:
 * - `refuse`: the server is gone (stopped, crashed, port closed). Open connections are reset and new ones are
 *   refused (ECONNREFUSED) at once.
 * - `blackhole`: the network to the server drops every packet (a partition, a dead host, a firewall). Open
 *   connections go silent and new ones are accepted by the proxy but never answered: nothing fails by itself, only
 *   the application's own timeouts end the wait.
 */
export type OutageMode = 'refuse' | 'blackhole';

interface Link {
  client: Socket;
  upstream?: Socket;
}

/** Ports the kernel never hands out as ephemeral ports, so that a closed proxy port is still free when it reopens. */
function portBelowEphemeralRange(): number {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: keep the usual lower bound.
  }
  const floor = 10_000;
  return floor + Math.floor(Math.random() * Math.max(1, low - floor));
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL, Redis), which a test can cut and restore to
 * simulate that server's outage without touching the server itself (other work shares it).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private mode: 'open' | OutageMode = 'open';
  /** Connections accepted since the start, and those the proxy refused or held during outages. */
  readonly stats = { accepted: 0, heldDuringOutage: 0 };

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards every connection to host:port. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    for (let attempt = 0; ; attempt++) {
      const proxy = new TcpProxy(targetHost, targetPort, portBelowEphemeralRange());
      try {
        await proxy.listen();
        return proxy;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
      }
    }
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxiedUrl(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  get state(): 'open' | OutageMode {
    return this.mode;
  }

  /** Starts an outage. Resolves once it is in effect: no byte passes from then on. */
  async cut(mode: OutageMode): Promise<void> {
    if (this.mode !== 'open') throw new Error(`the proxy is already cut (${this.mode})`);
    this.mode = mode;
    if (mode === 'refuse') {
      for (const link of this.links) this.reset(link);
      await this.stopListening();
    } else {
      for (const link of this.links) this.freeze(link);
    }
  }

  /**
   * Ends the outage: new connections reach the server again. Connections frozen by a black hole are reset (by then
   * the peers have given up on them, as they would after a real partition).
   */
  async restore(): Promise<void> {
    const was = this.mode;
    if (was === 'open') return;
    for (const link of this.links) this.reset(link);
    this.mode = 'open';
    if (was === 'refuse') await this.listen();
  }

  async close(): Promise<void> {
    for (const link of this.links) this.reset(link);
    this.mode = 'open';
    await this.stopListening();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    // close() stops accepting at once; its callback waits for connections, which are all reset by now.
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.accepted++;
    const link: Link = { client };
    this.links.add(link);
    client.on('error', () => this.reset(link));
    client.on('close', () => this.reset(link));
    if (this.mode === 'blackhole') {
      // Accepted, never answered: the client's connect "succeeds" and then nothing happens.
      this.stats.heldDuringOutage++;
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    link.upstream = upstream;
    upstream.on('error', () => this.reset(link));
    upstream.on('close', () => this.reset(link));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Stops both directions; whatever arrives from now on stays in the socket buffers, unanswered. */
  private freeze(link: Link): void {
    link.client.unpipe();
    link.upstream?.unpipe();
    link.client.pause();
    link.upstream?.pause();
  }

  private reset(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.resetAndDestroy();
    link.upstream?.resetAndDestroy();
  }
}
