/** The platforms impact-in delivers to. One topic and one consumer group each. */
export const PLATFORMS = ['benevity', 'goodera', 'workday'] as const;
export type Platform = (typeof PLATFORMS)[number];

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}
