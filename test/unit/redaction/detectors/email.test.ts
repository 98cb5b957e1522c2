import { describe, expect, it } from 'vitest';
import { emailDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

describe('email detector', () => {
  it.each([
    ['write to ada.lovelace@example.com today', 'ada.lovelace@example.com'],
    ['plus tag: grace+csr@acme-corp.co.uk', 'grace+csr@acme-corp.co.uk'],
    ['subdomains j.smith@mail.hr.globex.org.uk.', 'j.smith@mail.hr.globex.org.uk'],
    ['upper case JOHN.DOE@EXAMPLE.COM', 'JOHN.DOE@EXAMPLE.COM'],
    ["apostrophe o'brien@example.ie", "o'brien@example.ie"],
    ['underscores and digits a_b42@x.io', 'a_b42@x.io'],
    ['in angle brackets <linus@kernel.org>', 'linus@kernel.org'],
    ['quoted "katherine@nasa.gov"', 'katherine@nasa.gov'],
    ['mailto:jane@example.org?subject=hello', 'jane@example.org'],
    ['internationalised jürgen@müller.de', 'jürgen@müller.de'],
    ['bracketed john [at] example [dot] com ok', 'john [at] example [dot] com'],
    ['compact john(at)example.co.uk', 'john(at)example.co.uk'],
    ['curly ada{at}globex{dot}fr', 'ada{at}globex{dot}fr'],
    ['spelled john dot smith at example dot com please', 'john dot smith at example dot com'],
    ['spelled grace at hooli dot io', 'grace at hooli dot io'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(emailDetector, text)).toEqual([expected]);
  });

  it('finds several addresses in one text', () => {
    expect(matches(emailDetector, 'a@x.com, b@y.org; c@z.net')).toEqual(['a@x.com', 'b@y.org', 'c@z.net']);
  });

  it.each([
    'no at sign here',
    'Twitter @oxfam and @redcross',
    'user@localhost',
    'icon@2x.png and logo@3x.jpg',
    'meet at the town hall at 10:00',
    'volunteers at Oxfam, dot the i',
    'a @ b . com',
    'email@',
    '@example.com',
    'see https://www.oxfam.org.uk/get-involved',
  ])('finds nothing in %j', (text) => {
    expect(emailDetector.find(text)).toEqual([]);
  });
});
