import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const IN_MEMORY_DATA_DIR = 'memory://';

/**
 * PostgreSQL compiled to WASM (PGlite), served over the PostgreSQL wire protocol on a loopback port,
 * so TypeORM and `pg` talk to it exactly as to a PostgreSQL server. Used when DATABASE_URL is unset.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  /** `dataDir` is a folder (created if missing) or `memory://` for a throw-away database. */
  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    let db: PGlite;
    if (dataDir === IN_MEMORY_DATA_DIR) {
      db = await PGlite.create();
    } else {
      const folder = resolve(dataDir);
      await mkdir(folder, { recursive: true });
      db = await PGlite.create(folder);
    }
    // Port 0: the OS picks a free loopback port, so several instances (tests) never collide.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return new EmbeddedPostgres(db, server, `postgres://postgres@${server.getServerConn()}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
