import { describe, expect, it } from 'vitest';
import { PrivateAddressError, assertOriginAllowed, isPrivateAddress } from '../../../src/http/dispatcher.ts';

describe('isPrivateAddress', () => {
  const privateOnes = [
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
  ];
  const publicOnes = ['8.8.8.8', '::ffff:8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:4860:4860::8888'];

  for (const address of privateOnes) it(`${address} is private`, () => expect(isPrivateAddress(address)).toBe(true));
  for (const address of publicOnes) it(`${address} is public`, () => expect(isPrivateAddress(address)).toBe(false));

  it('says false for host names (they are checked after resolution)', () => {
    expect(isPrivateAddress('localhost')).toBe(false);
    expect(isPrivateAddress('api.goodera.com')).toBe(false);
  });
});

describe('assertOriginAllowed', () => {
  it('refuses private IP literals and localhost unless allowed', () => {
    for (const origin of ['http://127.0.0.1:4010', 'http://10.0.0.5', 'http://[::1]:8080', 'http://localhost:4010', 'http://169.254.169.254/latest']) {
      expect(() => assertOriginAllowed(new URL(origin), false)).toThrow(PrivateAddressError);
      expect(() => assertOriginAllowed(new URL(origin), true)).not.toThrow();
    }
  });

  it('refuses a private address written in another form (decimal, hex, IPv4-mapped IPv6)', () => {
    for (const origin of ['http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/']) {
      expect(() => assertOriginAllowed(new URL(origin), false)).toThrow(PrivateAddressError);
    }
  });

  it('allows public origins', () => {
    expect(() => assertOriginAllowed(new URL('https://api.goodera.com'), false)).not.toThrow();
    expect(() => assertOriginAllowed(new URL('https://8.8.8.8'), false)).not.toThrow();
  });

  it('raises an error with the code the classifier knows', () => {
    try {
      assertOriginAllowed(new URL('http://127.0.0.1:4010'), false);
      expect.unreachable();
    } catch (error) {
      expect((error as PrivateAddressError).code).toBe('ERR_PRIVATE_ADDRESS');
      expect((error as Error).message).toContain('ALLOW_PRIVATE_HOSTS');
    }
  });
});
