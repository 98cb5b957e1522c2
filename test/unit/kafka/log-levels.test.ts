import { expect, it } from 'vitest';
import { levelOf } from '../../../src/kafka/kafkajs/log-levels.ts';

it('logs a broker error kafkajs retries at debug', () => {
  expect(levelOf('error', 'Response Metadata(key: 3, version: 6)', 'This server is not the leader for that topic-partition')).toBe('debug');
  expect(
    levelOf('error', 'Response AddOffsetsToTxn(key: 25, version: 1)', 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing'),
  ).toBe('debug');
});

it('keeps the level of what kafkajs does not retry', () => {
  expect(levelOf('error', 'Response Produce(key: 0, version: 7)', 'The request included a message larger than the max message size the server will accept')).toBe('error');
  expect(levelOf('error', 'Crash: KafkaJSNumberOfRetriesExceeded: …', undefined)).toBe('error');
  expect(levelOf('warn', 'Could not create topics', 'Topic with this name already exists')).toBe('warn');
});

it('routine group notices are not warnings', () => {
  expect(levelOf('warn', 'The group is rebalancing, re-joining', 'The group is rebalancing, so a rejoin is needed')).toBe('info');
  expect(levelOf('warn', 'Consumer is not aware of all assigned partitions, refreshing metadata', undefined)).toBe('debug');
});

it('leaves info and debug alone', () => {
  expect(levelOf('info', 'Starting', undefined)).toBe('info');
  expect(levelOf('debug', 'Request enqueued', undefined)).toBe('debug');
});
