/** The Workday slice of the configuration: REST at the configured base URL; SOAP refused, not faked. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/config.ts';
import { testKey } from '../../fixtures.ts';

const required = { IMPACT_SECRET_KEY: testKey(1).toString('base64'), IMPACT_PSEUDONYM_KEY: testKey(2).toString('base64') };

describe('workday configuration', () => {
  it('defaults to REST against the local simulator', () => {
    expect(loadConfig({ ...required }).platforms.workday.baseUrl).toBe('http://127.0.0.1:4030');
    expect(loadConfig({ ...required, WORKDAY_SOAP: 'false' }).platforms.workday.baseUrl).toBe('http://127.0.0.1:4030');
  });

  it('takes another base URL, and refuses one that is not a URL, naming the field', () => {
    expect(loadConfig({ ...required, WORKDAY_BASE_URL: 'https://wd5-services1.myworkday.com' }).platforms.workday.baseUrl).toBe(
      'https://wd5-services1.myworkday.com',
    );
    expect(() => loadConfig({ ...required, WORKDAY_BASE_URL: 'workday' })).toThrow(/WORKDAY_BASE_URL/);
  });

  it('refuses WORKDAY_SOAP=true at start with a clear reason: only the REST transport exists', () => {
    for (const value of ['true', '1']) {
      expect(() => loadConfig({ ...required, WORKDAY_SOAP: value })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/WORKDAY_SOAP.*SOAP transport is not available/s) }),
      );
    }
    expect(() => loadConfig({ ...required, WORKDAY_SOAP: 'yes' })).toThrow(/WORKDAY_SOAP/);
  });
});
