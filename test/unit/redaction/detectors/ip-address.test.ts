import { describe, expect, it } from 'vitest';
import { ipAddressDetector } from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

describe('IP address detector', () => {
  it.each([
    ['IPv4 203.0.113.7', '203.0.113.7'],
    ['IPv4 at the end of a sentence 192.168.1.10.', '192.168.1.10'],
    ['IPv4 edges 255.254.0.1', '255.254.0.1'],
    ['IPv4 with a port 10.1.2.3:8080', '10.1.2.3'],
    ['IPv4 with a prefix length 10.1.2.3/32', '10.1.2.3'],
    ['IPv4 in a URL http://198.51.100.4/path', '198.51.100.4'],
    ['IPv4 after a label ip:198.51.100.4', '198.51.100.4'],
    ['IPv6 full 2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ['IPv6 compressed 2001:db8::8a2e:370:7334', '2001:db8::8a2e:370:7334'],
    ['IPv6 upper case FE80::1FF:FE23:4567:890A', 'FE80::1FF:FE23:4567:890A'],
    ['IPv6 in brackets [2001:db8::1]:443', '2001:db8::1'],
    ['IPv6 mapped IPv4 ::ffff:192.0.2.128', '::ffff:192.0.2.128'],
    ['IPv6 with a zone fe80::1ff:fe23:4567:890a%eth0', 'fe80::1ff:fe23:4567:890a'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(ipAddressDetector, text)).toEqual([expected]);
  });

  it.each([
    ['octet over 255', '192.168.1.256'],
    ['leading zeros', '01.02.03.04'],
    ['five parts (a version)', '1.2.3.4.5'],
    ['a version number', 'version 1.2.3.4'],
    ['a v-prefixed version', 'v1.2.3.4'],
    ['a section number', 'see section 3.2.1.4'],
    ['a dashed section anchor', 'rfc2616#section-8.1.2.2'],
    ['a version with a suffix that holds digits', 'zlib 1.3.2.1-rc2'],
    ['a dotted date', '28.11.2026'],
    ['a long build number', 'build 10.0.19045.1234'],
    ['the unspecified address', '0.0.0.0'],
    ['loopback', '127.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['a clock time', '10:30:45'],
    ['an ISO timestamp', '2026-11-28T10:30:00Z'],
    ['a MAC address', '00:1A:2B:3C:4D:5E'],
    ['a score line', '1:2:3:4:5:6:7:8'],
    ['C++', 'std::vector<int>'],
    ['an ISO standard', 'ISO 14001:2015'],
  ])('finds nothing: %s', (_why, text) => {
    expect(ipAddressDetector.find(text)).toEqual([]);
  });
});
