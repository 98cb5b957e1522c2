/**
 * Topic and consumer-group names, in one place. Everything takes the configured prefix so that a
 * test (or a second deployment on a shared cluster) owns its own set.
 */
import { PLATFORMS, type Platform } from '../domain/platform.ts';

export interface Topics {
  readonly events: string;
  readonly eventsDlq: string;
  readonly redacted: string;
  readonly redactedDlq: string;
  readonly deliver: Readonly<Record<Platform, string>>;
  readonly deliverDlq: Readonly<Record<Platform, string>>;
  readonly results: string;
}

export interface Groups {
  readonly redactor: string;
  readonly router: string;
  readonly deliver: Readonly<Record<Platform, string>>;
}

export function topicNames(prefix: string): Topics {
  const perPlatform = (make: (platform: Platform) => string) =>
    Object.fromEntries(PLATFORMS.map((platform) => [platform, make(platform)])) as Record<Platform, string>;
  return {
    events: `${prefix}impact.events.v1`,
    eventsDlq: `${prefix}impact.events.dlq.v1`,
    redacted: `${prefix}impact.events.redacted.v1`,
    redactedDlq: `${prefix}impact.events.redacted.dlq.v1`,
    deliver: perPlatform((platform) => `${prefix}impact.deliver.${platform}.v1`),
    deliverDlq: perPlatform((platform) => `${prefix}impact.deliver.${platform}.dlq.v1`),
    results: `${prefix}impact.delivery-results.v1`,
  };
}

export function groupNames(prefix: string): Groups {
  return {
    redactor: `${prefix}impact-in.redactor`,
    router: `${prefix}impact-in.router`,
    deliver: Object.fromEntries(
      PLATFORMS.map((platform) => [platform, `${prefix}impact-in.deliver.${platform}`]),
    ) as Record<Platform, string>,
  };
}

/** Every topic impact-in creates at start. */
export function allTopics(topics: Topics): string[] {
  return [
    topics.events,
    topics.eventsDlq,
    topics.redacted,
    topics.redactedDlq,
    ...Object.values(topics.deliver),
    ...Object.values(topics.deliverDlq),
    topics.results,
  ];
}

/**
 * Largest message a dead-letter topic takes: 4 MiB. A dead letter carries its original sealed
 * (base64 inside AES-GCM, about 4/3 of the original), so an input message near the broker's
 * default 1 MiB limit would not fit a topic with that same default — and a dead letter that
 * cannot be written stops its stage. The broker must allow it (message.max.bytes is per topic).
 */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Topic-level configuration impact-in sets on the topics it creates. */
export function topicConfigs(topics: Topics): Record<string, Record<string, string>> {
  const dlq = [topics.eventsDlq, topics.redactedDlq, ...Object.values(topics.deliverDlq)];
  return Object.fromEntries(dlq.map((topic) => [topic, { 'max.message.bytes': String(DEAD_LETTER_MAX_MESSAGE_BYTES) }]));
}
