// URL filter as FineWeb ran it: blocklisted domains, sub-domains and exact URLs, then banned,
// soft (2 or more) and sub-word lists over the URL's words. Lists load from plain-text files.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document, Verdict } from '../document.ts';
import { CrawlerFiltersError } from '../errors.ts';
import { filterStage, type Stage } from '../stage.ts';

export interface UrlLists {
  domains: ReadonlySet<string>;
  urls: ReadonlySet<string>;
  bannedWords: ReadonlySet<string>;
  softWords: ReadonlySet<string>;
  bannedSubwords: readonly string[];
}

/** Folder of the small default lists shipped with the package. */
export const defaultUrlListsDir = fileURLToPath(new URL('../../lists/', import.meta.url));

export interface LoadUrlListsOptions {
  /** Folder with domains.txt, urls.txt, banned-words.txt, soft-words.txt, banned-subwords.txt (each optional). Default: the shipped lists. */
  dir?: string;
  /** An unpacked UT1 blacklist root (`<root>/<category>/domains`, `urls`), added to the lists. */
  ut1Root?: string;
  /** UT1 categories to read. Default `['adult', 'phishing', 'malware', 'dating', 'gambling']`. */
  ut1Categories?: readonly string[];
}

async function readList(path: string, required: boolean): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CrawlerFiltersError(
      'url-list-unreadable',
      `cannot read URL list ${path}: ${(error as Error).message}; check the path or the file's permissions`,
    );
  }
  return text
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** Loads the five lists from a folder (and optionally UT1 categories). */
export async function loadUrlLists(options: LoadUrlListsOptions = {}): Promise<UrlLists> {
  const dir = options.dir ?? defaultUrlListsDir;
  const [domains, urls, bannedWords, softWords, bannedSubwords] = await Promise.all(
    ['domains.txt', 'urls.txt', 'banned-words.txt', 'soft-words.txt', 'banned-subwords.txt'].map(
      (file) => readList(join(dir, file), false),
    ),
  );
  if (options.ut1Root) {
    const categories = options.ut1Categories ?? [
      'adult',
      'phishing',
      'malware',
      'dating',
      'gambling',
    ];
    for (const category of categories) {
      domains.push(...(await readList(join(options.ut1Root, category, 'domains'), true)));
      urls.push(...(await readList(join(options.ut1Root, category, 'urls'), false)));
    }
  }
  return {
    domains: new Set(domains.map((d) => d.replace(/^www\./u, ''))),
    urls: new Set(urls.map(normaliseUrl)),
    bannedWords: new Set(bannedWords),
    softWords: new Set(softWords),
    bannedSubwords: bannedSubwords.map((word) => word.replace(/[^\p{L}\p{N}]+/gu, '')),
  };
}

function normaliseUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//u, '')
    .replace(/^www\./u, '')
    .replace(/\/$/u, '');
}

export interface UrlFilterOptions {
  lists: UrlLists;
  /** Soft words needed to remove a URL. Default 2. */
  softWordThreshold?: number;
}

/** Verdict for one URL; reasons `domain`, `subdomain`, `url`, `hard_blacklisted`, `soft_blacklisted`, `blacklisted_subword`. */
export function urlVerdict(url: string, options: UrlFilterOptions): Verdict {
  const { lists } = options;
  const threshold = options.softWordThreshold ?? 2;
  let host = '';
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^www\./u, '');
  } catch {
    host = '';
  }
  if (host) {
    if (lists.domains.has(host)) return { keep: false, reason: 'domain' };
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      if (lists.domains.has(host.slice(dot + 1))) return { keep: false, reason: 'subdomain' };
    }
  }
  if (lists.urls.has(normaliseUrl(url))) return { keep: false, reason: 'url' };
  const words = new Set(url.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  for (const word of lists.bannedWords)
    if (words.has(word)) return { keep: false, reason: 'hard_blacklisted' };
  let soft = 0;
  for (const word of lists.softWords) if (words.has(word)) soft++;
  if (soft >= threshold) return { keep: false, reason: 'soft_blacklisted' };
  const squashed = url.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  for (const sub of lists.bannedSubwords) {
    if (sub && squashed.includes(sub)) return { keep: false, reason: 'blacklisted_subword' };
  }
  return { keep: true };
}

/** Stage `url`: documents without a URL pass. */
export function urlFilterStage(options: UrlFilterOptions): Stage {
  return filterStage({
    name: 'url',
    filter: (doc: Document) => (doc.url ? urlVerdict(doc.url, options) : { keep: true }),
  });
}
