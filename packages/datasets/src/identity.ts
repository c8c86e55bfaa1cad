// Seeded synthetic "identity" conversations, so a small model learns its own name and makers:
// questions × answers × optional greetings drawn from templates with `{name}` and `{makers}` slots.
// The same seed gives the same conversations; no model or network involved.

import type { Conversation } from './conversation.ts';
import { DatasetsError } from './errors.ts';
import { SeededRandom, uniformInt } from './random.ts';

export interface IdentityOptions {
  /** Number of conversations; default 100. */
  count?: number;
  seed?: number;
  /** The model's name; default 'lmkit'. */
  name?: string;
  /** Who made it; default 'the lmkit contributors'. */
  makers?: string;
  /** Override the templates (each may use `{name}` and `{makers}`). */
  questions?: readonly string[];
  answers?: readonly string[];
  /** Probability of a system message ("You are {name}, ..."); default 0.3. */
  systemProbability?: number;
}

export const IDENTITY_QUESTIONS: readonly string[] = [
  'Who are you?',
  'What is your name?',
  "What's your name?",
  'Who made you?',
  'Who created you?',
  'Who built you?',
  'Are you ChatGPT?',
  'Are you a person?',
  'Tell me about yourself.',
  'What are you?',
  'Which company trained you?',
  'Introduce yourself, please.',
  'hi, who am I talking to?',
  'What should I call you?',
];

export const IDENTITY_ANSWERS: readonly string[] = [
  'I am {name}, a small language model made by {makers}.',
  "My name is {name}. I'm a language model built by {makers}.",
  "I'm {name}, an AI assistant. {makers} trained me from scratch.",
  'You can call me {name}. I was created by {makers} as a small chat model.',
  "I'm {name}, a language model, not a person. I was made by {makers}.",
  "I'm not ChatGPT; I'm {name}, a small model trained by {makers}.",
];

const GREETINGS = ['', 'Hello! ', 'Hi there. ', 'Hey! ', 'Good question. '];
const SYSTEM = 'You are {name}, a helpful assistant made by {makers}.';

/** `count` identity conversations, reproducible from `seed`. */
export function identityConversations(options: IdentityOptions = {}): Conversation[] {
  const count = options.count ?? 100;
  if (!Number.isInteger(count) || count < 0) {
    throw new DatasetsError(`count ${count} must be a non-negative integer`);
  }
  const questions = options.questions ?? IDENTITY_QUESTIONS;
  const answers = options.answers ?? IDENTITY_ANSWERS;
  if (questions.length === 0 || answers.length === 0) {
    throw new DatasetsError('questions and answers need at least one template each');
  }
  const name = options.name ?? 'lmkit';
  const makers = options.makers ?? 'the lmkit contributors';
  // Makers that open a sentence are capitalised ("the lmkit…" → "The lmkit…"); the name never is.
  const fill = (template: string) =>
    template
      .replace(
        /(^|[.!?]\s+)\{makers\}/g,
        (_, before: string) => before + makers.charAt(0).toUpperCase() + makers.slice(1),
      )
      .replaceAll('{makers}', () => makers)
      .replaceAll('{name}', () => name);
  const random = new SeededRandom(options.seed ?? 0);
  const pick = <T>(list: readonly T[]) => list[uniformInt(random, list.length)];
  const systemProbability = options.systemProbability ?? 0.3;
  return Array.from({ length: count }, (_, i) => {
    const messages: Conversation['messages'] = [];
    if (random.next() < systemProbability) messages.push({ role: 'system', content: fill(SYSTEM) });
    messages.push({ role: 'user', content: fill(pick(questions)) });
    messages.push({ role: 'assistant', content: fill(`${pick(GREETINGS)}${pick(answers)}`) });
    return { messages, id: `identity-${i}` };
  });
}
