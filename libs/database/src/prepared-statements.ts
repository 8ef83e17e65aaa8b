import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs the hot statements of the repositories as named prepared statements on PostgreSQL: parsed and planned once
 * per pooled connection instead of on every call. Planning was most of PostgreSQL's CPU per message sent (the same
 * three statements ran 2.3-3.2× faster prepared, measured with pgbench on the benchmark machine). They still go
 * through TypeORM (its query runner, logging and errors), which hands the query to pg as it is.
 *
 * The embedded database is one PGlite session behind all its connections, and it keeps the statements of a
 * connection that closed: a reconnecting client would prepare a name a second time. There they run unnamed.
 */
export class PreparedStatements {
  constructor(
    private readonly dataSource: DataSource,
    private readonly named: boolean,
  ) {}

  /** `name` identifies `text`: one name, one statement text. */
  query<T = unknown>(name: string, text: string, parameters: unknown[]): Promise<T> {
    return this.dataSource.query<T>(this.statement(name, text), parameters);
  }

  /** The same inside a transaction, on its connection. */
  queryWith<T = unknown>(manager: EntityManager, name: string, text: string, parameters: unknown[]): Promise<T> {
    return manager.query<T>(this.statement(name, text), parameters);
  }

  private statement(name: string, text: string): string {
    if (!this.named) return text;
    // pg prepares a query that carries a name; toString keeps TypeORM's error log readable.
    return { name, text, toString: () => text } as unknown as string;
  }
}
