// Language-ID accuracy on paragraphs of 50, 200 and 1,000 characters in 21 languages from the
// Debian Administrator's Handbook (not the UDHR franc trains on): lmkit's franc setup vs peers.

import { readFileSync } from 'node:fs';
import { detectLanguage } from '@lmkit/crawler-filters';
import { eld } from 'eld/medium';
import { detect as tinyld } from 'tinyld';
import { bench } from './harness.ts';

const FIXTURE = new URL(
  '../packages/crawler-filters/src/__fixtures__/langid/debian-handbook.json',
  import.meta.url,
);
const LENGTHS = [50, 200, 1000];
const SAMPLES_PER_LENGTH = 20;

/** ISO 639-3 (our labels, franc) → the ISO 639-1 codes eld and tinyld answer with. */
const ISO1: Record<string, string[]> = {
  arb: ['ar'],
  cat: ['ca'],
  ces: ['cs'],
  deu: ['de'],
  ell: ['el'],
  eng: ['en'],
  spa: ['es'],
  pes: ['fa'],
  fra: ['fr'],
  ind: ['id'],
  ita: ['it'],
  jpn: ['ja'],
  nob: ['nb', 'no'],
  nld: ['nl'],
  pol: ['pl'],
  por: ['pt'],
  rus: ['ru'],
  swe: ['sv'],
  tur: ['tr'],
  vie: ['vi'],
  cmn: ['zh'],
};

/** Cuts the language's running text into samples of `length` characters, at word starts where there are spaces. */
function samples(paragraphs: string[], length: number): string[] {
  const text = paragraphs.join(' ');
  const out: string[] = [];
  const step = Math.floor((text.length - length) / SAMPLES_PER_LENGTH);
  for (let i = 0; i < SAMPLES_PER_LENGTH; i++) {
    let start = i * step;
    const space = text.indexOf(' ', start);
    if (space !== -1 && space - start < 20) start = space + 1;
    out.push(text.slice(start, start + length));
  }
  return out;
}

interface Detector {
  name: string;
  /** True when the detector names the labelled language. */
  correct: (text: string, label: string) => boolean;
}

const detectors: Detector[] = [
  {
    name: 'lmkit detectLanguage (franc, 51 web languages)',
    correct: (text, label) => detectLanguage(text, { minLength: 1 }).language === label,
  },
  {
    name: 'franc, all 419 languages',
    correct: (text, label) =>
      detectLanguage(text, { minLength: 1, candidates: undefined }).language === label,
  },
  {
    name: 'eld (medium)',
    correct: (text, label) => ISO1[label].includes(eld.detect(text).language),
  },
  { name: 'tinyld', correct: (text, label) => ISO1[label].includes(tinyld(text)) },
];

export function run(): void {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    languages: Record<string, string[]>;
  };
  const languages = Object.keys(fixture.languages);
  const sets = LENGTHS.map((length) => ({
    length,
    items: languages.flatMap((label) =>
      samples(fixture.languages[label], length).map((text) => ({ text, label })),
    ),
  }));
  console.log(
    `\n## Language ID accuracy: Debian handbook, ${languages.length} languages, ${SAMPLES_PER_LENGTH} samples per language and length`,
  );
  console.log(`| detector | ${LENGTHS.map((l) => `${l} chars`).join(' | ')} |`);
  console.log(`| --- | ${LENGTHS.map(() => '---').join(' | ')} |`);
  for (const detector of detectors) {
    const cells = sets.map(({ items }) => {
      const hits = items.filter(({ text, label }) => detector.correct(text, label)).length;
      return `${((100 * hits) / items.length).toFixed(1)} %`;
    });
    console.log(`| ${detector.name} | ${cells.join(' | ')} |`);
  }
  const perLanguage = languages.map((label) => {
    const items = samples(fixture.languages[label], 200);
    const hits = items.filter((text) => detectors[0].correct(text, label)).length;
    return `${label} ${hits}/${items.length}`;
  });
  console.log(`\nlmkit at 200 characters, per language: ${perLanguage.join(', ')}`);
  const speedItems = sets[1].items;
  bench({
    title: `Language ID speed: ${speedItems.length} samples of 200 characters`,
    units: { amount: speedItems.length, label: 'samples' },
    rounds: 3,
    contenders: detectors.map((d) => ({
      name: d.name,
      run: () => speedItems.filter(({ text, label }) => d.correct(text, label)).length,
    })),
  });
}
