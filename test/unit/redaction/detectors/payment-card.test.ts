import { describe, expect, it } from 'vitest';
import { paymentCardDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

// Well-known test PANs (Luhn-valid, issuer ranges).
describe('payment card detector', () => {
  it.each([
    ['Visa 4111111111111111', '4111111111111111'],
    ['Visa spaced 4111 1111 1111 1111', '4111 1111 1111 1111'],
    ['Visa dashed 4111-1111-1111-1111', '4111-1111-1111-1111'],
    ['Visa 13 digits 4222222222222', '4222222222222'],
    ['Mastercard 5555 5555 5555 4444', '5555 5555 5555 4444'],
    ['Mastercard 2-series 2223003122003222', '2223003122003222'],
    ['Amex 3782 822463 10005', '3782 822463 10005'],
    ['Amex 371449635398431', '371449635398431'],
    ['Discover 6011 1111 1111 1117', '6011 1111 1111 1117'],
    ['Discover 6011000990139424', '6011000990139424'],
    ['Diners 3056 930902 5904', '3056 930902 5904'],
    ['JCB 3530111333300000', '3530111333300000'],
    ['UnionPay 6200000000000005', '6200000000000005'],
    ['card then a year: 4111 1111 1111 1111 2026', '4111 1111 1111 1111'],
    ['a count then the card: 3 x 4111 1111 1111 1111', '4111 1111 1111 1111'],
    ['mixed separators 4111 1111-1111.1111', '4111 1111-1111.1111'],
    ['dotted 4111.1111.1111.1111', '4111.1111.1111.1111'],
    ['after a label and a dash: ID-4111-1111-1111-1111', '4111-1111-1111-1111'],
    ['after a slash: ref/4111111111111111', '4111111111111111'],
    ['after an underscore: card_4111111111111111', '4111111111111111'],
    ['before a dash suffix: 4111 1111 1111 1111-x', '4111 1111 1111 1111'],
    ['in a URL: /cards/4111111111111111?x=1', '4111111111111111'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(paymentCardDetector, text)).toEqual([expected]);
  });

  it.each([
    ['invalid Luhn', '4111 1111 1111 1112'],
    ['unknown issuer (Luhn-valid)', '1234 5678 9012 3452'],
    ['unknown issuer 9 (Luhn-valid)', '9111111111111110'],
    ['wrong length for the brand (Amex with 16)', '3782822463100051'],
    ['odd grouping', '41 1111 1111 111 111'],
    ['glued to letters (hex id)', 'a4111111111111111b'],
    ['inside a dashed code that holds digits', 'ID7-4111-1111-1111-1111'],
    ['followed by a dotted number', '4111111111111111.25'],
    ['too short', '4111 1111 1111'],
    ['an epoch in ms', '1764325800000'],
    ['an amount', '4,111,111,111,111.11'],
    ['fewer than 13 digits in the whole text', 'order 4111 on 2026-11-28'],
  ])('finds nothing: %s', (_why, text) => {
    expect(paymentCardDetector.find(text)).toEqual([]);
  });
});
