import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import {
  DEFAULT_EMAIL_REPLACEMENTS,
  DEFAULT_IP_REPLACEMENTS,
  isPublicIpv4,
  piiStage,
  scrubPii,
} from './pii.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../data');
const shakespeareLines = readFileSync(join(dataDir, 'text/tinyshakespeare.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.split(' ').length >= 6)
  .slice(0, 400);

/** Real lines with a fake value spliced into the middle of each; returns the text and the values. */
function embed(values: string[], seed: number): { text: string; template: string } {
  faker.seed(seed);
  const random = () => faker.number.float({ min: 0, max: 1 });
  const lines: string[] = [];
  const template: string[] = [];
  values.forEach((value, i) => {
    const words = shakespeareLines[(i * 7) % shakespeareLines.length].split(' ');
    const at = 1 + Math.floor(random() * (words.length - 1));
    const before = words.slice(0, at).join(' ');
    const after = words.slice(at).join(' ');
    const glue = ['', ',', '.', ';', ')'][i % 5];
    lines.push(`${before} ${i % 3 === 0 ? '(' : ''}${value}${glue} ${after}`);
    template.push(`${before} ${i % 3 === 0 ? '(' : ''}<PII>${glue} ${after}`);
  });
  return { text: lines.join('\n'), template: template.join('\n') };
}

function mask(text: string, replacements: readonly string[]): string {
  let masked = text;
  for (const replacement of replacements) masked = masked.split(replacement).join('<PII>');
  return masked;
}

describe('scrubPii: e-mail addresses', () => {
  it('replaces 200 seeded fake addresses embedded in real text, leaving the text around them', () => {
    faker.seed(11);
    const emails = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0
        ? faker.internet.email({ provider: faker.internet.domainName() })
        : i % 4 === 1
          ? faker.internet.exampleEmail()
          : faker.internet.email(),
    );
    const { text, template } = embed(emails, 3);
    const result = scrubPii(text);
    expect(result.emails).toBe(200);
    expect(result.ipAddresses).toBe(0);
    for (const email of emails) expect(result.text).not.toContain(email);
    expect(mask(result.text, DEFAULT_EMAIL_REPLACEMENTS)).toBe(template);
    // Both replacements occur, and the same address always maps to the same one.
    expect(new Set(DEFAULT_EMAIL_REPLACEMENTS.filter((r) => result.text.includes(r))).size).toBe(2);
    expect(scrubPii(`${emails[0]} ${emails[0]}`).text.split(' ')).toHaveLength(2);
    expect(new Set(scrubPii(`${emails[0]} ${emails[0]}`).text.split(' ')).size).toBe(1);
  });

  it.each([
    ['a host without a domain', 'ssh user@localhost and root@server'],
    ['CSS at-rules', '@media screen and (max-width: 600px) { @import url(a.css) }'],
    ['package versions', 'npm i lodash@4.17.21 @types/node@20.1.0'],
    ['a matrix product and a method call', 'y = weights@inputs.transpose() + bias'],
    ['a decorator', '@property\ndef name(self): return self._name'],
    ['retina image names', '<img src="logo@2x.png">'],
    ['made-up TLDs', 'foo@bar.baz and x@y.localdomain'],
    ['a mention', 'thanks @jane.doe for the fix'],
  ])('leaves %s alone', (_name, text) => {
    expect(scrubPii(text)).toEqual({ text, emails: 0, ipAddresses: 0 });
  });

  it('handles punctuation around addresses and is idempotent', () => {
    const once = scrubPii('Write to <Jane.Doe@mail.co.uk>, or (bob+news@uni.edu).');
    expect(once.emails).toBe(2);
    expect(once.text).toMatch(
      /^Write to <[^>]+@example\.(com|org)>, or \([^)]+@example\.(com|org)\)\.$/u,
    );
    expect(scrubPii(once.text)).toEqual({ ...once, emails: 0 });
  });
});

describe('scrubPii: IPv4 addresses', () => {
  it('replaces seeded public addresses embedded in real text', () => {
    faker.seed(12);
    const blocks = ['8.0.0.0/8', '52.0.0.0/8', '104.16.0.0/12', '151.101.0.0/16', '185.0.0.0/8'];
    const addresses = Array.from({ length: 100 }, (_, i) =>
      faker.internet.ipv4({ cidrBlock: blocks[i % blocks.length] }),
    );
    const { text, template } = embed(addresses, 4);
    const result = scrubPii(text);
    expect(result.ipAddresses).toBe(100);
    expect(mask(result.text, DEFAULT_IP_REPLACEMENTS)).toBe(template);
    expect(scrubPii(result.text).ipAddresses).toBe(0);
  });

  it('keeps addresses of every non-public network faker knows', () => {
    faker.seed(13);
    const networks = [
      'loopback',
      'private-a',
      'private-b',
      'private-c',
      'test-net-1',
      'test-net-2',
      'test-net-3',
      'link-local',
      'multicast',
    ] as const;
    const addresses = Array.from({ length: 180 }, (_, i) =>
      faker.internet.ipv4({ network: networks[i % networks.length] }),
    );
    const { text } = embed(addresses, 5);
    expect(scrubPii(text)).toEqual({ text, emails: 0, ipAddresses: 0 });
  });

  it.each([
    ['172.15.255.255', true],
    ['172.16.0.0', false],
    ['172.31.255.255', false],
    ['172.32.0.0', true],
    ['100.63.255.255', true],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['100.128.0.0', true],
    ['198.17.255.255', true],
    ['198.18.0.0', false],
    ['198.19.255.255', false],
    ['198.20.0.0', true],
    ['223.255.255.255', true],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['0.1.2.3', false],
    ['1.1.1.1', true],
    ['256.1.1.1', false],
  ])('isPublicIpv4(%s) is %s', (address, expected) => {
    expect(isPublicIpv4(address)).toBe(expected);
  });

  it.each([
    ['a v-prefixed version', 'upgrade to v1.2.3.4 today'],
    ['a version word', 'Chrome version 120.0.6099.109 and release 8.8.4.4'],
    ['a five-part version', 'build 1.2.3.4.5 is out'],
    ['dates and times', 'on 12.05.2023 at 10.30, or 2023.12.05'],
    ['a suffixed build', 'see 4.4.2.1-beta'],
    ['an octet above 255', 'call 555.123.4567 or 300.1.1.1'],
    ['zero-padded parts', 'code 08.08.08.08'],
  ])('leaves %s alone', (_name, text) => {
    expect(scrubPii(text)).toEqual({ text, emails: 0, ipAddresses: 0 });
  });

  it('replaces addresses at sentence ends and in URLs, and obeys the switches', () => {
    const text = 'Blocked 8.8.8.8. Try http://93.184.216.34:8080/x now';
    const result = scrubPii(text);
    expect(result.ipAddresses).toBe(2);
    expect(result.text).toMatch(/^Blocked [\d.]+\. Try http:\/\/[\d.]+:8080\/x now$/u);
    expect(scrubPii(text, { ipAddresses: false }).text).toBe(text);
    // "version" must be a word of its own: "deliver 8.8.8.8" is an address.
    expect(scrubPii('I deliver 8.8.8.8 and forever 1.1.1.1').ipAddresses).toBe(2);
    expect(scrubPii('a@b.com', { emails: false }).text).toBe('a@b.com');
    expect(scrubPii('8.8.8.8', { ipReplacements: ['0.0.0.0'] }).text).toBe('0.0.0.0');
  });
});

describe('piiStage', () => {
  it('rewrites texts and passes every document on', async () => {
    const docs: Document[] = [
      { id: '1', text: 'mail jane@gmail.com', metadata: { a: 1 } },
      { id: '2', text: 'nothing here', metadata: {} },
    ];
    const out: Document[] = [];
    for await (const doc of piiStage()(
      (async function* () {
        yield* docs;
      })(),
    ))
      out.push(doc);
    expect(out.map((d) => d.id)).toEqual(['1', '2']);
    expect(out[0].text).toMatch(/^mail (email@example\.com|firstname\.lastname@example\.org)$/u);
    expect(out[0].metadata).toEqual({ a: 1 });
    expect(out[1]).toBe(docs[1]);
    expect(docs[0].text).toBe('mail jane@gmail.com');
  });
});
