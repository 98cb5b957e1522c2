import { describe, expect, it } from 'vitest';
import { ibanChecksumValid, luhnValid } from '../../../../src/redaction/detectors/checksums.ts';

describe('checksums', () => {
  it('Luhn accepts valid numbers and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('41111a1111111111')).toBe(false);
  });

  it('IBAN mod 97 accepts valid IBANs and rejects a changed character', () => {
    expect(ibanChecksumValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('FR1420041010050500013M02606')).toBe(true);
    expect(ibanChecksumValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanChecksumValid('GB82WEST12345698765423')).toBe(false);
    expect(ibanChecksumValid('GB82')).toBe(false);
  });
});
