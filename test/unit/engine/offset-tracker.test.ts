import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../src/engine/offset-tracker.ts';

describe('OffsetTracker: the commit watermark', () => {
  it('commits nothing while the first message is unfinished, however many after it finished', () => {
    const tracker = new OffsetTracker(['10', '11', '12', '13']);
    expect(tracker.complete(1)).toBeNull();
    expect(tracker.complete(3)).toBeNull();
    expect(tracker.committable).toBeNull();
    expect(tracker.finishedAhead).toBe(2);
  });

  it('moves to the highest offset below which everything is final when a gap closes', () => {
    const tracker = new OffsetTracker(['10', '11', '12', '13']);
    tracker.complete(1);
    tracker.complete(3);
    expect(tracker.complete(0)).toBe('11');
    expect(tracker.complete(2)).toBe('13');
    expect(tracker.allFinal).toBe(true);
    expect(tracker.finishedAhead).toBe(0);
  });

  it('follows the offsets as given, gaps (transaction markers) included', () => {
    const tracker = new OffsetTracker(['100', '102', '105']);
    expect(tracker.complete(0)).toBe('100');
    expect(tracker.complete(1)).toBe('102');
    expect(tracker.allFinal).toBe(false);
  });

  it('a message finished twice moves nothing the second time; an index outside the run is refused', () => {
    const tracker = new OffsetTracker(['1', '2']);
    expect(tracker.complete(0)).toBe('1');
    expect(tracker.complete(0)).toBeNull();
    expect(() => tracker.complete(2)).toThrow(RangeError);
    expect(() => tracker.complete(-1)).toThrow(RangeError);
  });
});
