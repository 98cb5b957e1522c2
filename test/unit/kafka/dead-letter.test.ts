import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { DLQ_HEADERS, createDeadLetters, openDeadLetter } from '../../../src/kafka/dead-letter.ts';
import type { InboundMessage } from '../../../src/kafka/ports.ts';
import { testKey } from '../fixtures.ts';

const RAW_VALUE = '{"subject":{"email":"ada.lovelace@example.com"},"broken":';
const source: InboundMessage = {
  topic: 'impact.deliver.goodera.v1',
  partition: 4,
  offset: '1234567',
  key: Buffer.from('acme:E10001'),
  value: Buffer.from(RAW_VALUE),
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-user-email': 'ada@example.com' },
  timestamp: '1764331200000',
};
const now = () => new Date('2026-11-28T12:00:00.000Z');
const box = createSecretBox(new Map([['k1', testKey(3)]]), 'k1');
const deadLetters = createDeadLetters(box, now);
const error = new ImpactError('VALIDATION_FAILED', 'payload.hours: too big');

describe('createDeadLetters', () => {
  it('says why and where from in headers, carrying only the trace context', () => {
    const message = deadLetters.message('impact.deliver.goodera.dlq.v1', 'deliver.goodera', source, error);
    expect(message.topic).toBe('impact.deliver.goodera.dlq.v1');
    expect(message.headers).toEqual({
      traceparent: source.headers.traceparent,
      [DLQ_HEADERS.code]: 'VALIDATION_FAILED',
      [DLQ_HEADERS.reason]: 'payload.hours: too big',
      [DLQ_HEADERS.stage]: 'deliver.goodera',
      [DLQ_HEADERS.sourceTopic]: 'impact.deliver.goodera.v1',
      [DLQ_HEADERS.sourcePartition]: '4',
      [DLQ_HEADERS.sourceOffset]: '1234567',
      [DLQ_HEADERS.failedAt]: '2026-11-28T12:00:00.000Z',
      [DLQ_HEADERS.keyId]: 'k1',
    });
  });

  it('does not carry the original key or bytes in clear', () => {
    const message = deadLetters.message('dlq', 'deliver.goodera', source, error);
    expect(message.key).toBe('impact.deliver.goodera.v1:4:1234567');
    const everything = JSON.stringify(message) + Buffer.from(message.value).toString('utf8');
    expect(everything).not.toContain('acme:E10001');
    expect(everything).not.toContain('ada.lovelace@example.com');
    expect(everything).not.toContain('ada@example.com');
  });

  it('keeps the original key and value recoverable with the key', () => {
    const message = deadLetters.message('dlq', 'deliver.goodera', source, error);
    const opened = openDeadLetter(box, { value: Buffer.from(message.value), headers: message.headers ?? {} });
    expect(opened.topic).toBe(source.topic);
    expect(opened.partition).toBe(4);
    expect(opened.offset).toBe('1234567');
    expect(opened.key?.toString()).toBe('acme:E10001');
    expect(opened.value.toString()).toBe(RAW_VALUE);
  });

  it('round-trips a null key and a null value', () => {
    const message = deadLetters.message('dlq', 'redactor', { ...source, key: null, value: null }, new ImpactError('DECODE_FAILED', 'empty'));
    const opened = openDeadLetter(box, { value: Buffer.from(message.value), headers: message.headers ?? {} });
    expect(opened.key).toBeNull();
    expect(opened.value.length).toBe(0);
  });

  it('binds the source coordinates: a dead letter relabelled with another offset does not open', () => {
    const message = deadLetters.message('dlq', 'deliver.goodera', source, error);
    const headers = { ...message.headers, [DLQ_HEADERS.sourceOffset]: '1234568' };
    expect(() => openDeadLetter(box, { value: Buffer.from(message.value), headers })).toThrow();
  });

  it('cuts a long reason to 400 characters', () => {
    const message = deadLetters.message('dlq', 'redactor', source, new ImpactError('VALIDATION_FAILED', 'x'.repeat(1000)));
    expect(message.headers?.[DLQ_HEADERS.reason]).toHaveLength(400);
  });

  it('refuses to open a message that is not a dead letter', () => {
    expect(() => openDeadLetter(box, { value: Buffer.from('x'), headers: {} })).toThrow(/not an impact-in dead letter/);
  });
});
