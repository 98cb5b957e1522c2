import { describe, expect, it } from 'vitest';
import { ibanDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

// Example IBANs from the SWIFT registry and national banks' documentation.
describe('iban detector', () => {
  it.each([
    ['GB compact GB29NWBK60161331926819', 'GB29NWBK60161331926819'],
    ['GB spaced GB82 WEST 1234 5698 7654 32.', 'GB82 WEST 1234 5698 7654 32'],
    ['DE DE89 3704 0044 0532 0130 00', 'DE89 3704 0044 0532 0130 00'],
    ['DE bank-style spacing DE89 37040044 0532013000', 'DE89 37040044 0532013000'],
    ['FR FR14 2004 1010 0505 0001 3M02 606', 'FR14 2004 1010 0505 0001 3M02 606'],
    ['NL NL91ABNA0417164300', 'NL91ABNA0417164300'],
    ['ES ES91 2100 0418 4502 0005 1332', 'ES91 2100 0418 4502 0005 1332'],
    ['IT IT60 X054 2811 1010 0000 0123 456', 'IT60 X054 2811 1010 0000 0123 456'],
    ['BE BE68 5390 0754 7034', 'BE68 5390 0754 7034'],
    ['CH CH93 0076 2011 6238 5295 7', 'CH93 0076 2011 6238 5295 7'],
    ['NO (shortest) NO9386011117947', 'NO9386011117947'],
    ['followed by an upper-case word: GB82 WEST 1234 5698 7654 32 OK', 'GB82 WEST 1234 5698 7654 32'],
    ['after a code that looks like a start: XX12 GB82 WEST 1234 5698 7654 32', 'GB82 WEST 1234 5698 7654 32'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(ibanDetector, text)).toEqual([expected]);
  });

  it.each([
    ['bad check digits', 'GB82 WEST 1234 5698 7654 33'],
    ['mod 97 fails after a typo', 'DE89 3704 0044 0532 0130 01'],
    ['unknown country', 'XX82 WEST 1234 5698 7654 32'],
    ['wrong length for GB', 'GB82 WEST 1234 5698 7654 3'],
    ['wrong BBAN structure for GB (mod 97 passes, digits where the bank letters go)', 'GB25 1234 1234 5698 7654 32'],
    ['glued to a word', 'refGB82WEST12345698765432'],
    ['lower case', 'gb82 west 1234 5698 7654 32'],
    ['a UK postcode', 'SW1A 1AA'],
    ['a VAT number', 'GB123456789'],
  ])('finds nothing: %s', (_why, text) => {
    expect(ibanDetector.find(text)).toEqual([]);
  });
});
