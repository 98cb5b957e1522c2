/**
 * Routing: which platforms an event goes to. Pure: the tenant's enabled platforms intersected
 * with what each platform's contract accepts (PRODUCT.md, "Platform contracts").
 */
import type { EventKind } from './event.ts';
import type { Platform } from './platform.ts';

export const PLATFORM_KINDS: Readonly<Record<Platform, readonly EventKind[]>> = {
  benevity: ['donation', 'volunteer_activity'],
  goodera: ['volunteer_activity', 'donation', 'program_enrolment', 'program_outcome'],
  workday: ['volunteer_activity', 'program_enrolment'],
};

export function routeEvent(kind: EventKind, enabledPlatforms: readonly Platform[]): Platform[] {
  return enabledPlatforms.filter((platform) => PLATFORM_KINDS[platform].includes(kind));
}
