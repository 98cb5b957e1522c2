/**
 * IP addresses. IPv4: four decimal octets 0–255 without leading zeros, not part of a longer
 * dotted number (1.2.3.4.5) and not a version or section number ("version 1.2.3.4", "§ 3.2.1.4").
 * Addresses that name no host (0.0.0.0, 127.x.x.x loopback, 255.255.255.255) are not personal;
 * private ranges (10/8, 192.168/16) are findings — inside an organisation they identify a device.
 * IPv6: candidates of hex groups and colons (with an optional embedded IPv4 tail), validated by
 * node:net `isIP`; at least five hex digits and one group of three or more, so `::1`, clock
 * times (10:30:00) and score lines (1:2:3:4:5:6:7:8) are not findings.
 */
import { isIP } from 'node:net';
import type { Detector, Span } from './detector.ts';
import { countDigits, isAlnumAt, isDigitAt, isWordCharAt, joinedAfter, joinedBefore, nonOverlapping } from './text.ts';

// A simple candidate pattern (fast to scan); octets are checked in code.
const IPV4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
// Each group ends with a colon, which the hex class cannot match: the repetition cannot backtrack badly.
const IPV6 = /(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})/y;
const NOT_AN_ADDRESS_BEFORE =
  /(?:^|[^\p{L}])(?:v|ver|version|versions|release|build|rev|revision|section|sections|sec|clause|chapter|step|article|item|para|paragraph|table|figure|fig|appendix|annex|part|§)[.\s_-]*$/iu;
/** Addresses that name no host: unspecified, loopback, broadcast. */
const NO_HOST = /^(?:0\.0\.0\.0|127\.\d+\.\d+\.\d+|255\.255\.255\.255)$/;
const MIN_IPV6_HEX_DIGITS = 5;
/** `1:2:3:4:5:6:7:8` is valid IPv6 but is a score line; real addresses have a group of 3+ hex digits. */
const LONG_HEX_GROUP = /[0-9A-Fa-f]{3}/;

/** 0–255 without leading zeros. */
function isOctet(part: string): boolean {
  return (part.length === 1 || part[0] !== '0') && Number(part) <= 255;
}

function ipv4(text: string, out: Span[]): void {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m !== null; m = IPV4.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // Before: any glue (`section-8.1.2.2`, `1.2.3.4.5`). After: a word, a dotted number or a
    // dashed suffix (`1.3.2.1-motley`), but not a port (`:8080`) or a prefix length (`/24`).
    const glued =
      joinedBefore(text, start) ||
      isAlnumAt(text, end) ||
      (text[end] === '.' && isDigitAt(text, end + 1)) ||
      (text[end] === '-' && joinedAfter(text, end));
    if (glued) {
      // Skip the rest of this dotted token (e.g. 1.2.3.4.5) rather than find an address inside it.
      let skip = end;
      while (skip < text.length && (isWordCharAt(text, skip) || (text[skip] === '.' && isDigitAt(text, skip + 1)))) skip++;
      IPV4.lastIndex = skip;
      continue;
    }
    if (!m[0].split('.').every(isOctet) || NO_HOST.test(m[0]) || NOT_AN_ADDRESS_BEFORE.test(text.slice(Math.max(0, start - 16), start))) continue;
    out.push({ start, end });
  }
}

/** Does `text` hold `n` or more of `ch`? indexOf is native: far cheaper than a char loop. */
function atLeast(text: string, ch: string, n: number): boolean {
  let at = -1;
  for (let found = 0; found < n; found++) {
    at = text.indexOf(ch, at + 1);
    if (at === -1) return false;
  }
  return true;
}

function hexDigitCount(candidate: string): number {
  let n = 0;
  for (let i = 0; i < candidate.length; i++) if (candidate[i] !== ':' && candidate[i] !== '.') n++;
  return n;
}

function isHexChar(ch: string | undefined): boolean {
  return ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);
}

/**
 * Scanning a hex-and-colon pattern from every position is slow on prose (a–f are common letters),
 * so candidates are anchored on colons: from each `:`, step back over at most four hex digits and
 * match the candidate there, sticky.
 */
function ipv6(text: string, out: Span[]): void {
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && colon - start < 4 && isHexChar(text[start - 1])) start--;
    // The colon of a label (`usr:2001:…`, `usr:::ffff:…`) is no part of the address.
    if (start === colon && isAlnumAt(text, colon - 1) && !isHexChar(text[colon - 1])) {
      if (text[colon + 1] !== ':' || text[colon + 2] !== ':') {
        colon = text.indexOf(':', colon + 1);
        continue;
      }
      start = colon + 1;
    }
    IPV6.lastIndex = start;
    const m = IPV6.exec(text);
    if (!m) {
      colon = text.indexOf(':', colon + 1);
      continue;
    }
    const end = start + m[0].length;
    const before = text[start - 1];
    // `:` before continues an address (`…:2001:db8`) unless a word of letters stands before it (`usr:`).
    const labelColon = before === ':' && isAlnumAt(text, start - 2) && !isHexChar(text[start - 2]);
    const glued = isAlnumAt(text, start - 1) || (before === ':' && !labelColon) || before === '.' || isAlnumAt(text, end) || text[end] === ':';
    const plausible = hexDigitCount(m[0]) >= MIN_IPV6_HEX_DIGITS && LONG_HEX_GROUP.test(m[0]);
    if (!glued && plausible && isIP(m[0]) === 6) out.push({ start, end });
    // Past this candidate (and, when glued, past the rest of its token) before looking again.
    let skip = end;
    if (glued) while (skip < text.length && (isWordCharAt(text, skip) || text[skip] === ':')) skip++;
    colon = text.indexOf(':', Math.max(skip, colon + 1));
  }
}

export const ipAddressDetector: Detector = {
  name: 'ip_address',
  placeholder: '[IP]',
  find(text) {
    const spans: Span[] = [];
    // Cheap pre-check: IPv4 needs three dots and four digits.
    if (atLeast(text, '.', 3) && countDigits(text) >= 4) ipv4(text, spans);
    ipv6(text, spans);
    if (spans.length < 2) return spans;
    // An IPv6 address with an IPv4 tail (::ffff:192.0.2.1) was found by both scans: keep the whole.
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    return nonOverlapping(spans);
  },
};
