/**
 * kafkajs logs at ERROR every error response it receives, retriable or not — "This server is not
 * the leader for that topic-partition" right after a topic is created, "The producer attempted to
 * update a transaction while another concurrent operation … was ongoing" between transactions —
 * and then retries them itself. An SRE reading a healthy service's log must see no error, so a
 * condition kafkajs retries is logged at debug; what it cannot retry keeps its level.
 */
import { createRequire } from 'node:module';

export type Level = 'error' | 'warn' | 'info' | 'debug';

interface ProtocolError {
  readonly type: string;
  readonly retriable: boolean;
  readonly message: string;
}

const require = createRequire(import.meta.url);
const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: readonly ProtocolError[] };

/** Messages of the broker error codes kafkajs retries (its own table, so the two cannot drift). */
const RETRIED = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));

/** Routine group-membership notices kafkajs logs at WARN or ERROR and then handles. */
const ROUTINE: Readonly<Record<string, Level>> = {
  'The group is rebalancing, re-joining': 'info',
  'Consumer is not aware of all assigned partitions, refreshing metadata': 'debug',
};

/** Our level for one kafkajs log entry. */
export function levelOf(level: Level, message: string, error: unknown): Level {
  if (level !== 'error' && level !== 'warn') return level;
  const routine = ROUTINE[message];
  if (routine) return routine;
  if (typeof error === 'string' && RETRIED.has(error)) return 'debug';
  return level;
}
