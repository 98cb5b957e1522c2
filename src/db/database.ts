/** The Kysely instance over a pg pool. bigint ids come back as strings (pg's default, kept). */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** Where PostgreSQL is: a URL (its `?sslmode=` honoured by pg), or the config's URL plus TLS options. */
export type DatabaseConnection = string | Pick<DatabaseConfig, 'url' | 'ssl'>;

/** pg's connection options for a {@link DatabaseConnection}. */
export function pgConnectionOptions(connection: DatabaseConnection): { connectionString: string; ssl?: pg.ClientConfig['ssl'] } {
  if (typeof connection === 'string') return { connectionString: connection };
  return { connectionString: connection.url, ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }) };
}

export function createDb(connection: DatabaseConnection, poolSize: number): Db {
  const pool = new pg.Pool({
    ...pgConnectionOptions(connection),
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'impact-in',
  });
  // An idle client's socket error (e.g. PostgreSQL restarting) must not crash the process: the
  // pool drops the client and the next query reconnects.
  pool.on('error', () => undefined);
  keepCheckedOutClientErrors(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The part of pg's Pool that keepCheckedOutClientErrors needs. */
export interface ClientEvents {
  on(event: 'connect', listener: (client: { on(event: 'error', listener: (error: Error) => void): unknown }) => void): unknown;
}

/**
 * pg's pool listens for a client's 'error' only while the client is idle. A client checked out
 * by a transaction that is waiting on something else (a Kafka send, a platform call) has no
 * listener, and PostgreSQL shutting down sends it "terminating connection" (57P01): an unhandled
 * 'error' event that ends the process. A listener for the client's whole life keeps the process
 * up; the transaction's next query fails, it rolls back, and the pool discards the dead client.
 */
export function keepCheckedOutClientErrors(pool: ClientEvents): void {
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}
