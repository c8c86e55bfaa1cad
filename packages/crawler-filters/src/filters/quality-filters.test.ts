// Table-driven tests of the Gopher, C4 and FineWeb rules: each case is built to trip exactly one
// rule, and the test asserts the reason, so a rule that stops firing (or fires early) fails.
import { describe, expect, it } from 'vitest';
import { c4Quality } from './c4-quality.ts';
import { fineWebQuality } from './fineweb-quality.ts';
import { gopherQuality } from './gopher-quality.ts';
import { gopherRepetition } from './gopher-repetition.ts';

// 24 distinct, ordinary English sentences (≈ 300 words), the base every case starts from.
const SENTENCES = [
  'The river runs through the old town and past the mill.',
  'Farmers bring their grain to the market every Saturday morning.',
  'A new bridge was built with stone from the northern quarry.',
  'Children learn to swim in the shallow water near the bank.',
  'The baker opens his shop before the sun rises over the hills.',
  'Travellers often stop at the inn to rest their tired horses.',
  'In winter the pond freezes and people skate across the ice.',
  'The library holds books that were written by local authors.',
  'Each spring the gardens fill with tulips of every colour.',
  'Fishermen mend their nets while they wait for the tide.',
  'The church bell rings at noon and again in the evening.',
  'Merchants from distant cities trade cloth, salt and spices.',
  'A narrow path leads from the square to the castle gate.',
  'Students gather in the hall to hear the visiting professor.',
  'The mayor announced plans to repair the damaged roads.',
  'Musicians play in the park on warm summer nights.',
  'Old maps show that the coast has moved over the centuries.',
  'The harvest festival brings families together with food and song.',
  'Engineers measured the depth of the canal with long poles.',
  'Many houses have red roofs and small wooden balconies.',
  'The museum displays tools that were used by early settlers.',
  'Rain fell steadily through the night and flooded the lane.',
  'A painter set up her easel to capture the evening light.',
  'Visitors are welcome to walk along the walls of the fort.',
];
const prose = (lines = 24) => SENTENCES.slice(0, lines).join('\n');

describe('Gopher repetition', () => {
  const cases: [string, string, string | undefined][] = [
    ['ordinary prose passes', prose(), undefined],
    [
      'duplicated paragraphs',
      [1, 2, 3, 4, 5, 6].map((i) => (i % 2 ? SENTENCES[0] : SENTENCES[i])).join('\n\n'),
      'dup_para_frac',
    ],
    [
      'duplicated paragraph characters',
      [
        SENTENCES.slice(0, 3).join(' '),
        'Short one here.',
        SENTENCES.slice(0, 3).join(' '),
        ...SENTENCES.slice(3, 10),
      ].join('\n\n'),
      'dup_para_char_frac',
    ],
    [
      'duplicated lines',
      [...SENTENCES.slice(0, 6), SENTENCES[0], SENTENCES[1], SENTENCES[0], SENTENCES[1]].join('\n'),
      'dup_line_frac',
    ],
    [
      'duplicated line characters',
      [...SENTENCES.slice(0, 8), SENTENCES[0], SENTENCES[1], SENTENCES[2]].join('\n'),
      'dup_line_char_frac',
    ],
    [
      'one 2-gram dominates',
      `${SENTENCES.slice(0, 4).join(' ')} ${'buy now, '.repeat(30)}`,
      'top_2_gram',
    ],
    [
      'repeated 5-grams',
      `${SENTENCES.slice(0, 12).join(' ')} ${SENTENCES.slice(0, 3).join(' ')}`,
      'duplicated_5_n_grams',
    ],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const verdict = gopherRepetition(text);
    expect(verdict.keep ? undefined : verdict.reason).toBe(reason);
  });

  it('a rule set to undefined is off', () => {
    const text = [
      ...SENTENCES.slice(0, 6),
      SENTENCES[0],
      SENTENCES[1],
      SENTENCES[0],
      SENTENCES[1],
    ].join('\n');
    const verdict = gopherRepetition(text, {
      duplicateLineFraction: undefined,
      duplicateLineCharFraction: undefined,
      duplicateNGramCharFractions: [],
    });
    expect(verdict).toEqual({ keep: true });
  });
});

describe('Gopher quality', () => {
  const words = (n: number) => prose().split(/\s+/).slice(0, n).join(' ');
  const cases: [string, string, string | undefined][] = [
    ['ordinary prose passes', prose(), undefined],
    ['fewer than 50 words', words(40), 'gopher_short_doc'],
    ['more than 100,000 words', 'the cat '.repeat(50_001), 'gopher_long_doc'],
    [
      'mean word length below 3',
      'a an to of is be he we it my '.repeat(8),
      'gopher_below_avg_threshold',
    ],
    [
      'mean word length above 10',
      'incomprehensibilities internationalisation '.repeat(30) + 'the the',
      'gopher_above_avg_threshold',
    ],
    ['too many hashes', `${prose()} ${'#tag '.repeat(40)}`, 'gopher_too_many_hashes'],
    ['too many ellipses', `${prose()} ${'wait... '.repeat(40)}`, 'gopher_too_many_ellipsis'],
    [
      'nearly all lines are bullets',
      SENTENCES.map((s) => `• ${s}`).join('\n'),
      'gopher_too_many_bullets',
    ],
    [
      'many lines end with an ellipsis',
      SENTENCES.map((s, i) => (i % 2 ? `${s.slice(0, -1)}…` : s)).join('\n'),
      'gopher_too_many_end_ellipsis',
    ],
    [
      'too few alphabetic words',
      `${words(60)} ${'12 34 56 78 90 '.repeat(12)}`,
      'gopher_below_alpha_threshold',
    ],
    [
      'fewer than 2 stop words',
      'Quick brown foxes jump over lazy dogs near green fields daily. '.repeat(6),
      'gopher_enough_stop_words',
    ],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const verdict = gopherQuality(text);
    expect(verdict.keep ? undefined : verdict.reason).toBe(reason);
  });

  it('counts stop-word occurrences, not distinct stop words (FineWeb-era)', () => {
    const text = `${'Quick brown foxes jump over lazy dogs near green fields daily. '.repeat(6)} the dog and the cat`;
    expect(gopherQuality(text)).toEqual({ keep: true });
  });
});

describe('C4 quality (FineWeb variant)', () => {
  const cases: [string, string, string | undefined][] = [
    ['ordinary prose passes', prose(), undefined],
    [
      'lorem ipsum drops the document',
      `${prose()}\nLorem ipsum dolor sit amet, consectetur.`,
      'lorem_ipsum',
    ],
    [
      'a curly bracket drops the document',
      `${prose()}\nfunction f() { return 1; }`,
      'curly_bracket',
    ],
    ['fewer than 5 sentences remain', SENTENCES.slice(0, 4).join('\n'), 'too_few_sentences'],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const result = c4Quality(text);
    expect(result.keep ? undefined : result.reason).toBe(reason);
  });

  it('removes short, javascript, policy and huge-word lines, and citation markers; keeps unpunctuated lines', () => {
    const text = [
      SENTENCES[0],
      'Home',
      'Please enable JavaScript to view the comments here.',
      'This site uses cookies to improve your experience.',
      `A line with a ${'x'.repeat(1001)} word in it.`,
      'The town hall was rebuilt in 1902[1] after the fire[edit] destroyed it.',
      'A heading without a full stop at the end',
      ...SENTENCES.slice(1, 5),
    ].join('\n');
    const result = c4Quality(text);
    expect(result.keep).toBe(true);
    const lines = result.keep ? result.text.split('\n') : [];
    expect(lines).toEqual([
      SENTENCES[0],
      'The town hall was rebuilt in 1902 after the fire destroyed it.',
      'A heading without a full stop at the end',
      ...SENTENCES.slice(1, 5),
    ]);
  });
});

describe('FineWeb quality', () => {
  const cases: [string, string, string | undefined][] = [
    ['ordinary prose passes', prose(), undefined],
    ['empty text', '  \n \n', 'empty'],
    [
      'few lines end in terminal punctuation',
      SENTENCES.map((s) => s.slice(0, -1)).join('\n'),
      'line_punct_ratio',
    ],
    [
      'one duplicated line is over 1% of characters',
      [...SENTENCES, SENTENCES[3]].join('\n'),
      'char_dup_ratio',
    ],
    [
      'mostly short lines',
      [
        ...SENTENCES.slice(0, 6),
        ...Array.from({ length: 14 }, (_, i) => `Item number ${i} here.`),
      ].join('\n'),
      'short_line_ratio',
    ],
    ['too many newlines per word', SENTENCES.join('\n\n\n\n'), 'list_ratio'],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const verdict = fineWebQuality(text);
    expect(verdict.keep ? undefined : verdict.reason).toBe(reason);
  });
});
