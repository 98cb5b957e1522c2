import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { authenticate, hashToken } from '../../../src/admin/auth.ts';
import { loadAdminConfig } from '../../../src/config/config.ts';

const READ = 'read-token-0123456789abcdef';
const OPERATE = 'operate-token-0123456789abcdef';
const config = loadAdminConfig({ ADMIN_TOKENS: `viewer:read:${hashToken(READ)},sre:operate:${hashToken(OPERATE)}` });

describe('admin bearer tokens', () => {
  test('no token or a malformed header is 401', () => {
    expect(authenticate(config.tokens, undefined, 'read')).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(config.tokens, `Basic ${READ}`, 'read')).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(config.tokens, 'Bearer ', 'read')).toMatchObject({ ok: false, status: 401 });
  });

  test('an unknown token is 401; a read token on an operate call is 403; operate includes read', () => {
    expect(authenticate(config.tokens, 'Bearer not-a-token-at-all', 'read')).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(config.tokens, `Bearer ${READ}`, 'read')).toEqual({ ok: true, name: 'viewer', scope: 'read' });
    expect(authenticate(config.tokens, `Bearer ${READ}`, 'operate')).toMatchObject({ ok: false, status: 403 });
    expect(authenticate(config.tokens, `Bearer ${OPERATE}`, 'read')).toEqual({ ok: true, name: 'sre', scope: 'operate' });
    expect(authenticate(config.tokens, `Bearer ${OPERATE}`, 'operate')).toEqual({ ok: true, name: 'sre', scope: 'operate' });
  });

  test('messages never carry the token', () => {
    const denied = authenticate(config.tokens, `Bearer ${READ}`, 'operate');
    expect(JSON.stringify(denied)).not.toContain(READ);
  });

  test('config keeps only hashes and refuses malformed entries, naming the variable', () => {
    expect(config.tokens.map((t) => t.sha256.toString('hex'))).toEqual([
      createHash('sha256').update(READ).digest('hex'),
      createHash('sha256').update(OPERATE).digest('hex'),
    ]);
    expect(() => loadAdminConfig({ ADMIN_TOKENS: 'x:admin:abc' })).toThrow(/ADMIN_TOKENS/);
    expect(() => loadAdminConfig({ ADMIN_PORT: 'x' })).toThrow(/ADMIN_PORT/);
  });
});
