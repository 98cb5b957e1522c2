import { describe, expect, it } from 'vitest';
import { nameDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from '../detectors/helpers.ts';

describe('name recognizer (other people)', () => {
  it.each([
    ['Latin, given + surname', 'Thanks to Maria Garcia for leading', 'Maria Garcia'],
    ['Latin, diacritics', 'José Álvarez joined the shift', 'José Álvarez'],
    ['Latin, capitalised unknown surname', 'Session run by Amara Okonkwo today', 'Amara Okonkwo'],
    ['Latin, middle name', 'Maria Elena Garcia helped', 'Maria Elena Garcia'],
    ['Latin, lower-case in an id', 'prj-ivan-petrov', 'ivan-petrov'],
    ['Latin, dotted handle', 'contact maria.garcia later', 'maria.garcia'],
    ['Latin, upper case', 'LEAD: MARIA GARCIA', 'MARIA GARCIA'],
    ['honorific', 'ask Dr. Okafor about it', 'Okafor'],
    ['Cyrillic', 'Мария Кузнецова помогла', 'Мария Кузнецова'],
    ['Greek', 'ευχαριστούμε Αννα Παπαδοπούλου', 'Αννα Παπαδοπούλου'],
    ['Arabic', 'شكرا أحمد الخليفي على المساعدة', 'أحمد الخليفي'],
    ['Han (Chinese)', '感谢王秀英参加活动', '王秀英'],
    ['Japanese with a space', '担当 佐藤 翔太', '佐藤 翔太'],
    ['Hangul', '김민준 님 감사합니다', '김민준'],
  ])('finds %s', (_why, text, expected) => {
    expect(matches(nameDetector, text)).toEqual([expected]);
  });

  it.each([
    ['organisations and places', 'Habitat for Humanity at Milan Business Park'],
    ['a name-like common word pair', 'Grace Church hall, Hope Street'],
    ['lower-case prose', 'volunteers will young people mark the day'],
    ['a given name alone', 'ask Maria'],
    ['letters glued to digits', 'record 9b9b1b4d-e225-47ea-ba22-24073bfb16dd'],
    ['months and programs', 'Future Coders in May, Climate Champions in June'],
  ])('finds nothing in %s', (_why, text) => {
    expect(nameDetector.find(text)).toEqual([]);
  });
});
