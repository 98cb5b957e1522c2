import { describe, expect, it } from 'vitest';
import { usSsnDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

describe('US SSN detector', () => {
  it.each([
    ['dashes 123-45-6789', '123-45-6789'],
    ['spaces 123 45 6789', '123 45 6789'],
    ['after a label SSN:078-05-1120', '078-05-1120'],
    ['area 899 is issuable: 899-12-3456', '899-12-3456'],
    ['bare after SSN: SSN 123456789', '123456789'],
    ['bare after "social security number:" 219099999', '219099999'],
    ['bare after ss#: ss# 123456789', '123456789'],
    ['after a label and a dash: SKU-123-45-6789', '123-45-6789'],
    ['after an underscore: ssn_123-45-6789', '123-45-6789'],
    ['bare after ssn_: ssn_123456789', '123456789'],
    ['bare after "Soc. Sec. no." 123456789', '123456789'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(usSsnDetector, text)).toEqual([expected]);
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 900–999 (ITIN range)', '912-34-5678'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['mixed separators', '123-45 6789'],
    ['bare without a keyword', 'order 123456789'],
    ['bare with a keyword but an invalid area', 'SSN 666123456'],
    ['ten bare digits after a keyword', 'SSN 1234567890'],
    ['inside a longer dashed code that holds digits', 'SKU9-123-45-6789'],
    ['followed by more digits', '123-45-6789-01'],
    ['a phone number', '555-123-4567'],
  ])('finds nothing: %s', (_why, text) => {
    expect(usSsnDetector.find(text)).toEqual([]);
  });
});
