import { describe, expect, it } from 'vitest';
import { Router } from '../../../../src/simulators/common/router.ts';
import type { SimRoute } from '../../../../src/simulators/common/router.ts';

const handler = () => ({ status: 200 });
const route = (name: string, method: string, path: string): SimRoute => ({ name, method, path, handler });

describe('Router', () => {
  const router = new Router([
    route('list', 'GET', '/v1/things'),
    route('create', 'POST', '/v1/things'),
    route('get', 'GET', '/v1/things/:id'),
    route('child', 'GET', '/ccx/api/v1/:tenant/workers/:worker'),
  ]);

  it('matches method and path, ignoring a trailing slash', () => {
    const match = router.match('post', '/v1/things/');
    expect(match.kind === 'found' && match.route.name).toBe('create');
  });

  it('extracts and decodes :params', () => {
    const match = router.match('GET', '/ccx/api/v1/acme%20co/workers/w-1');
    expect(match).toMatchObject({ kind: 'found', params: { tenant: 'acme co', worker: 'w-1' } });
    expect(match.kind === 'found' && match.route.name).toBe('child');
  });

  it('says which methods a known path allows', () => {
    expect(router.match('DELETE', '/v1/things')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'POST'] });
  });

  it('finds nothing for unknown paths, extra segments and malformed encoding', () => {
    expect(router.match('GET', '/v2/things')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/v1/things/a/b')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/v1/things/%E0%A4%A')).toEqual({ kind: 'not_found' });
  });

  it('refuses duplicate route names and the reserved name *', () => {
    expect(() => new Router([route('a', 'GET', '/a'), route('a', 'GET', '/b')])).toThrow(/duplicate route name 'a'/);
    expect(() => new Router([route('*', 'GET', '/a')])).toThrow(/reserved/);
  });
});
