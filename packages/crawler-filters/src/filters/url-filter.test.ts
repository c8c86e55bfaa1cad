import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUrlLists, urlVerdict } from './url-filter.ts';

async function listsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'url-lists-'));
  await writeFile(join(dir, 'domains.txt'), '# comment\nblocked.example\nwww.other-blocked.test\n');
  await writeFile(join(dir, 'urls.txt'), 'http://fine.example/bad/page\n');
  await writeFile(join(dir, 'banned-words.txt'), 'forbidden\n');
  await writeFile(join(dir, 'soft-words.txt'), 'casino\npoker\nbonus\n');
  await writeFile(join(dir, 'banned-subwords.txt'), 'badstuff\n');
  return dir;
}

describe('URL filter', async () => {
  const lists = await loadUrlLists({ dir: await listsDir() });
  const cases: [string, string, string | undefined][] = [
    ['an ordinary URL passes', 'https://news.example.org/2024/river-festival', undefined],
    ['blocked registered domain', 'https://blocked.example/index.html', 'domain'],
    ['www. is ignored on both sides', 'http://www.other-blocked.test/', 'domain'],
    ['sub-domain of a blocked domain', 'https://cdn.images.blocked.example/a.html', 'subdomain'],
    [
      'a domain that only ends with the same letters passes',
      'https://notblocked.example/',
      undefined,
    ],
    ['exact URL, scheme and trailing slash ignored', 'https://fine.example/bad/page/', 'url'],
    [
      'hard banned word among the URL words',
      'https://site.example/forbidden-things',
      'hard_blacklisted',
    ],
    ['one soft word is not enough', 'https://site.example/casino-history', undefined],
    [
      'two soft words remove the URL',
      'https://site.example/casino/poker-night',
      'soft_blacklisted',
    ],
    [
      'banned sub-word anywhere in the squashed URL',
      'https://site.example/very-bad-stuff',
      'blacklisted_subword',
    ],
    [
      'a word containing a banned word is not a hard match',
      'https://site.example/forbiddenfruit',
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, url, reason) => {
    const verdict = urlVerdict(url, { lists });
    expect(verdict.keep ? undefined : verdict.reason).toBe(reason);
  });

  it('respects the soft-word threshold option', () => {
    expect(
      urlVerdict('https://site.example/casino-history', { lists, softWordThreshold: 1 }),
    ).toEqual({ keep: false, reason: 'soft_blacklisted' });
  });

  it('loads the shipped default lists', async () => {
    const defaults = await loadUrlLists();
    expect(defaults.domains.size).toBeGreaterThan(0);
    expect(urlVerdict('https://pornhub.com/x', { lists: defaults })).toEqual({
      keep: false,
      reason: 'domain',
    });
    expect(urlVerdict('https://en.wikipedia.org/wiki/River', { lists: defaults })).toEqual({
      keep: true,
    });
  });

  it('adds UT1 category folders and names a missing one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ut1-'));
    await mkdir(join(root, 'adult'));
    await writeFile(join(root, 'adult', 'domains'), 'ut1-listed.example\n');
    const withUt1 = await loadUrlLists({ ut1Root: root, ut1Categories: ['adult'] });
    expect(urlVerdict('http://ut1-listed.example/', { lists: withUt1 })).toEqual({
      keep: false,
      reason: 'domain',
    });
    await expect(loadUrlLists({ ut1Root: root, ut1Categories: ['phishing'] })).rejects.toThrow(
      /phishing.*domains/,
    );
  });
});
