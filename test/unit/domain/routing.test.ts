import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../../src/domain/event.ts';
import { PLATFORMS } from '../../../src/domain/platform.ts';
import { PLATFORM_KINDS, routeEvent } from '../../../src/domain/routing.ts';

describe('routeEvent', () => {
  // The contract table from PRODUCT.md, written out independently of PLATFORM_KINDS.
  const expected = {
    volunteer_activity: ['benevity', 'goodera', 'workday'],
    donation: ['benevity', 'goodera'],
    program_enrolment: ['goodera', 'workday'],
    program_outcome: ['goodera'],
  } as const;

  for (const kind of EVENT_KINDS) {
    it(`routes ${kind} to every enabled platform that accepts it`, () => {
      expect(routeEvent(kind, [...PLATFORMS])).toEqual(expected[kind]);
    });

    for (const platform of PLATFORMS) {
      const accepts = PLATFORM_KINDS[platform].includes(kind);
      it(`${kind} × ${platform} alone → ${accepts ? 'routed' : 'not routed'}`, () => {
        expect(routeEvent(kind, [platform])).toEqual(accepts ? [platform] : []);
      });
    }
  }

  it('excludes platforms the tenant has not enabled', () => {
    expect(routeEvent('volunteer_activity', ['workday', 'goodera'])).toEqual(['workday', 'goodera']);
    expect(routeEvent('donation', ['workday'])).toEqual([]);
  });

  it('routes nowhere when the tenant enables no platform', () => {
    for (const kind of EVENT_KINDS) expect(routeEvent(kind, [])).toEqual([]);
  });
});
