import { EventEmitter } from 'node:events';
import { expect, test } from 'vitest';
import { keepCheckedOutClientErrors, type ClientEvents } from '../../../src/db/database.ts';

test('a client that errors while checked out (PostgreSQL shutting down) does not end the process', () => {
  const pool = new EventEmitter();
  keepCheckedOutClientErrors(pool satisfies ClientEvents);
  const client = new EventEmitter();
  pool.emit('connect', client);
  const terminating = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  expect(() => client.emit('error', terminating)).not.toThrow();
});

