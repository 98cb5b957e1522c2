import { describe, expect, it } from 'vitest';
import { ukNinoDetector } from '../../../../src/redaction/detectors/index.ts';
import { isValidNinoPrefix } from '../../../../src/redaction/detectors/uk-nino.ts';
import { matches } from './helpers.ts';

describe('UK NINO detector', () => {
  it.each([
    ['compact AB123456C', 'AB123456C'],
    ['spaced AB 12 34 56 C', 'AB 12 34 56 C'],
    ['block AB 123456 C', 'AB 123456 C'],
    ['suffix D: NINO: CE123456D.', 'CE123456D'],
    ['lower-case compact ab123456c', 'ab123456c'],
    ['in brackets (JG 10 37 65 A)', 'JG 10 37 65 A'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(ukNinoDetector, text)).toEqual([expected]);
  });

  it.each([
    ['first letter D', 'DA123456C'],
    ['first letter F', 'FA123456C'],
    ['first letter I', 'IA123456C'],
    ['first letter Q', 'QA123456C'],
    ['first letter U', 'UA123456C'],
    ['first letter V', 'VA123456C'],
    ['second letter O', 'AO123456C'],
    ['second letter Q', 'AQ123456C'],
    ['prefix BG', 'BG123456C'],
    ['prefix GB', 'GB123456A'],
    ['prefix KN', 'KN123456A'],
    ['prefix NK', 'NK123456A'],
    ['prefix NT', 'NT123456A'],
    ['prefix TN', 'TN123456A'],
    ['prefix ZZ', 'ZZ123456A'],
    ['suffix E', 'AB123456E'],
    ['five digits', 'AB12345C'],
    ['glued to a word', 'XAB123456C'],
    ['spaced lower case (ordinary words around digits)', 'we 12 34 56 a'],
    ['mixed case', 'Ab123456c'],
  ])('finds nothing: %s', (_why, text) => {
    expect(ukNinoDetector.find(text)).toEqual([]);
  });

  it('accepts every issued prefix letter pair and rejects the rest', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let valid = 0;
    for (const a of letters) for (const b of letters) if (isValidNinoPrefix(a + b)) valid++;
    // 20 first letters × 19 second letters, less the 7 never-issued pairs.
    expect(valid).toBe(20 * 19 - 7);
  });
});
