import type { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { invalid, matchPath } from '../../../src/admin/http.ts';
import { deliverySearchQuery, replayStartBody } from '../../../src/admin/schemas.ts';

describe('admin routes', () => {
  test('path templates match segment by segment', () => {
    expect(matchPath('/api/v1/replays/{id}', '/api/v1/replays/abc')).toEqual({ id: 'abc' });
    expect(matchPath('/api/v1/replays/{id}', '/api/v1/replays/abc/stop')).toBeNull();
    expect(matchPath('/api/v1/replays/{id}', '/api/v1/replays/')).toBeNull();
  });

  test('a bad request is a 400 naming the field', () => {
    const bad = (schema: z.ZodType, where: 'query' | 'body', value: unknown) => {
      const parsed = schema.safeParse(value);
      expect(parsed.success).toBe(false);
      return invalid(where, parsed.error!);
    };
    expect(bad(deliverySearchQuery, 'query', { limit: '0' })).toMatchObject({ status: 400, field: 'query.limit' });
    expect(bad(deliverySearchQuery, 'query', { colour: 'red' })).toMatchObject({ status: 400, field: 'query.colour' });
    const window = { platform: 'goodera', from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
    expect(bad(replayStartBody, 'body', window)).toMatchObject({ status: 400, field: 'body.to' });
    expect(bad(replayStartBody, 'body', { ...window, platform: 'myspace' })).toMatchObject({ field: 'body.platform' });
  });
});
