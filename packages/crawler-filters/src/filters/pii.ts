// FineWeb's PII formatter: e-mail addresses become `email@example.com` or
// `firstname.lastname@example.org`, public IPv4 addresses one of a few dummy addresses. Private,
// loopback, link-local, shared, documentation, benchmarking, multicast and reserved ranges stay.

import type { Document } from '../document.ts';
import { defineStage, type Stage } from '../stage.ts';

/** Replacement e-mail addresses (FineWeb's pair). */
export const DEFAULT_EMAIL_REPLACEMENTS: readonly string[] = Object.freeze([
  'email@example.com',
  'firstname.lastname@example.org',
]);

/** Replacement IPv4 addresses (the dummy set FineWeb's output uses). */
export const DEFAULT_IP_REPLACEMENTS: readonly string[] = Object.freeze([
  '22.214.171.124',
  '126.96.36.199',
  '188.8.131.52',
  '184.108.40.206',
  '220.127.116.11',
  '18.104.22.168',
]);

/** Generic top-level domains accepted in addresses; any two-letter country code is accepted too. */
export const DEFAULT_GENERIC_TLDS: ReadonlySet<string> = new Set(
  (
    'com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat ' +
    'app dev io ai online site tech store blog shop club xyz top live news email cloud page art ' +
    'design agency digital media network solutions services support systems world today company ' +
    'global center academy website space life fun love work email group studio social team link'
  ).split(' '),
);

export interface PiiOptions {
  /** Replace e-mail addresses. Default true. */
  emails?: boolean;
  /** Replace public IPv4 addresses. Default true. */
  ipAddresses?: boolean;
  emailReplacements?: readonly string[];
  ipReplacements?: readonly string[];
  /** Generic TLDs an address may end in (two-letter codes always count). Default DEFAULT_GENERIC_TLDS. */
  genericTlds?: ReadonlySet<string>;
}

export interface PiiResult {
  text: string;
  emails: number;
  ipAddresses: number;
}

// Local part, @, dot-separated labels, alphabetic TLD; not glued to surrounding word characters.
const EMAIL =
  /(?<![\w.%+\-@])[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))(?![\w\-@]|\.[A-Za-z0-9])/gu;
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Four octets not inside a longer dotted or word token (so `v1.2.3.4` and `1.2.3.4.5` stay).
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d|-[A-Za-z])`, 'gu');
const VERSION_BEFORE = /(?<![\p{L}\p{N}])(?:version|release|build|ver\.?|rev\.?)\s*$/iu;

/** Non-public IPv4 blocks as [first address, prefix length]. */
const NON_PUBLIC: [number[], number][] = [
  [[0, 0, 0, 0], 8], // "this" network
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // shared address space (carrier-grade NAT)
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation TEST-NET-1
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation TEST-NET-2
  [[203, 0, 113, 0], 24], // documentation TEST-NET-3
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, and the broadcast address
];

const toNumber = (octets: number[]) =>
  ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;

/** True for a dotted IPv4 address outside every private, loopback, documentation ... range. */
export function isPublicIpv4(address: string): boolean {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
    return false;
  const value = toNumber(octets);
  for (const [first, prefix] of NON_PUBLIC) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === toNumber(first)) return false;
  }
  return true;
}

/** A stable choice among replacements, so a given address always maps to the same dummy. */
function pick(replacements: readonly string[], original: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < original.length; i++)
    hash = Math.imul(hash ^ original.charCodeAt(i), 0x01000193);
  return replacements[(hash >>> 0) % replacements.length];
}

/**
 * Replaces e-mail addresses and public IPv4 addresses in `text`.
 *
 * @example
 * scrubPii('mail jane.doe@gmail.com from 8.8.8.8 or 192.168.0.1').text
 * // 'mail email@example.com from 188.8.131.52 or 192.168.0.1' (the dummies depend on the address)
 */
export function scrubPii(text: string, options: PiiOptions = {}): PiiResult {
  const emailReplacements = options.emailReplacements ?? DEFAULT_EMAIL_REPLACEMENTS;
  const ipReplacements = options.ipReplacements ?? DEFAULT_IP_REPLACEMENTS;
  const tlds = options.genericTlds ?? DEFAULT_GENERIC_TLDS;
  let emails = 0;
  let ipAddresses = 0;
  let result = text;
  if (options.emails !== false && result.includes('@')) {
    result = result.replace(EMAIL, (match: string, _domain: string, tld: string) => {
      const top = tld.toLowerCase();
      if (top.length !== 2 && !tlds.has(top)) return match;
      if (emailReplacements.includes(match)) return match;
      emails++;
      return pick(emailReplacements, match);
    });
  }
  if (options.ipAddresses !== false) {
    result = result.replace(IPV4, (match: string, offset: number, whole: string) => {
      if (!isPublicIpv4(match) || ipReplacements.includes(match)) return match;
      if (VERSION_BEFORE.test(whole.slice(Math.max(0, offset - 12), offset))) return match;
      ipAddresses++;
      return pick(ipReplacements, match);
    });
  }
  return { text: result, emails, ipAddresses };
}

/** The PII stage: rewrites each document's text; never drops a document. */
export function piiStage(options: PiiOptions = {}): Stage {
  return defineStage('pii', async function* (docs) {
    for await (const doc of docs) {
      const { text, emails, ipAddresses } = scrubPii(doc.text, options);
      if (emails === 0 && ipAddresses === 0) yield doc;
      else yield { ...doc, text } satisfies Document;
    }
  });
}
