import { describe, expect, it } from 'vitest';
import { detectLanguage, languageVerdict } from './language.ts';

// Opening sentences of public-domain / freely licensed prose in each language.
const SAMPLES: [string, string][] = [
  [
    'eng',
    'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, it was the epoch of belief.',
  ],
  [
    'fra',
    "Longtemps, je me suis couché de bonne heure. Parfois, à peine ma bougie éteinte, mes yeux se fermaient si vite que je n'avais pas le temps de me dire : je m'endors.",
  ],
  [
    'deu',
    'Als Gregor Samsa eines Morgens aus unruhigen Träumen erwachte, fand er sich in seinem Bett zu einem ungeheueren Ungeziefer verwandelt.',
  ],
  [
    'spa',
    'En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía un hidalgo de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor.',
  ],
  [
    'rus',
    'Все счастливые семьи похожи друг на друга, каждая несчастливая семья несчастлива по-своему. Всё смешалось в доме Облонских. Жена узнала, что муж был в связи с бывшею в их доме француженкою-гувернанткой, и объявила мужу, что не может жить с ним в одном доме.',
  ],
];

describe('language identification', () => {
  it.each(SAMPLES)('recognises %s', (code, text) => {
    const guess = detectLanguage(text);
    expect(guess.language).toBe(code);
    expect(guess.score).toBeGreaterThan(0);
    expect(guess.score).toBeLessThanOrEqual(1);
  });

  it('says "too short to tell" below the minimum length instead of guessing', () => {
    expect(detectLanguage('Bonjour à tous')).toEqual({ language: 'und', score: 0, tooShort: true });
    expect(detectLanguage('Bonjour à tous', { minLength: 5 }).language).not.toBe('und');
  });

  it('keeps the configured languages and names the others in the reason', () => {
    const [, french] = SAMPLES[1];
    expect(languageVerdict(french).keep).toBe(false);
    expect(languageVerdict(french)).toMatchObject({ keep: false, reason: 'language:fra' });
    expect(languageVerdict(french, { keep: ['eng', 'fra'] }).keep).toBe(true);
    expect(languageVerdict(french, { keep: undefined }).keep).toBe(true);
    expect(languageVerdict('Short.', { keep: undefined })).toMatchObject({
      keep: false,
      reason: 'too_short_to_tell',
    });
  });

  it('drops a guess below the score threshold', () => {
    const [, english] = SAMPLES[0];
    const { guess } = languageVerdict(english);
    expect(languageVerdict(english, { minScore: guess.score + 0.01 })).toMatchObject({
      keep: false,
      reason: 'low_language_score',
    });
    expect(languageVerdict(english, { minScore: undefined }).keep).toBe(true);
  });
});
