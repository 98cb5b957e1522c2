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
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
