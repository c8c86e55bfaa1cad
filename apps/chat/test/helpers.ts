// Test helpers: a byte-level tokenizer with the chat markers (ids 0–255 are bytes, specials
// follow) and a scripted engine that replies with given text, optionally one token per gate
// opening, counting how many generations were closed (to prove a disconnect frees its slot).
import type { ChatEngine, SamplingOptions, TokenizerLike } from '../src/engine.ts';
import { renderConversation } from '../src/render.ts';

const specials = ['<|endoftext|>', '<|im_start|>', '<|im_sep|>', '<|im_end|>'];

export class ByteTokenizer implements TokenizerLike {
  readonly vocabSize = 256 + specials.length;

  encodeOrdinary(text: string) {
    return [...new TextEncoder().encode(text)];
  }

  encode(
    text: string,
    options: { allowedSpecial?: 'all' | readonly string[] | ReadonlySet<string> } = {},
  ) {
    const allowed =
      options.allowedSpecial === 'all' ? specials : [...(options.allowedSpecial ?? [])];
    const ids: number[] = [];
    let rest = text;
    while (rest.length > 0) {
      let at = -1;
      let found = '';
      for (const name of specials) {
        const index = rest.indexOf(name);
        if (index !== -1 && (at === -1 || index < at)) [at, found] = [index, name];
      }
      if (at !== -1 && !allowed.includes(found)) throw new Error(`disallowed special ${found}`);
      if (at === -1) at = rest.length;
      ids.push(...this.encodeOrdinary(rest.slice(0, at)));
      if (found) ids.push(256 + specials.indexOf(found));
      rest = rest.slice(at + found.length);
      found = '';
    }
    return ids;
  }

  decode(ids: readonly number[]) {
    let text = '';
    let bytes: number[] = [];
    const flush = () => {
      text += new TextDecoder().decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      if (id < 256) bytes.push(id);
      else {
        flush();
        text += specials[id - 256];
      }
    }
    flush();
    return text;
  }

  /** The bytes of one token (what the token view shows in hex when they are not whole characters). */
  tokenToBytes(id: number) {
    return id < 256 ? Uint8Array.of(id) : new TextEncoder().encode(specials[id - 256]);
  }

  specialTokenId(name: string) {
    const index = specials.indexOf(name);
    return index === -1 ? undefined : 256 + index;
  }
}

export interface ScriptedEngine extends ChatEngine {
  /** Sampling options of every generate() call, in order. */
  readonly calls: SamplingOptions[];
  /** Generations that ended (finished, or closed by their consumer). */
  closed: number;
  /** Opens the gate for one more token (when constructed with `gated: true`). */
  step(count?: number): void;
  /** Takes back the openings no generation used. */
  closeGate(): void;
}

export function scriptedEngine(
  options: {
    /** The reply for a prompt; default "You said: <last user text>". */
    reply?: (promptIds: number[]) => string;
    contextTokens?: number;
    gated?: boolean;
    /** Never emit <|im_end|>: generate until max_tokens. */
    endless?: boolean;
  } = {},
): ScriptedEngine {
  const tokenizer = new ByteTokenizer();
  const imEnd = tokenizer.specialTokenId('<|im_end|>')!;
  const reply = options.reply ?? ((ids: number[]) => `You said: ${lastUserText(ids, tokenizer)}`);
  let credits = 0;
  const waiters: (() => void)[] = [];
  const engine: ScriptedEngine = {
    modelId: 'scripted',
    contextTokens: options.contextTokens ?? 1024,
    tokenizer,
    stopTokenIds: [imEnd, tokenizer.specialTokenId('<|endoftext|>')!],
    calls: [],
    closed: 0,
    render(messages, renderOptions) {
      return renderConversation(messages, tokenizer, renderOptions);
    },
    closeGate() {
      credits = 0;
    },
    step(count = 1) {
      credits += count;
      for (const wake of waiters.splice(0)) wake();
    },
    async *generate(promptIds, sampling) {
      engine.calls.push(sampling);
      const ids = tokenizer.encodeOrdinary(reply(promptIds));
      try {
        for (let index = 0; index < sampling.maxNewTokens; index++) {
          if (options.gated) {
            while (credits === 0) await new Promise<void>((resolve) => waiters.push(resolve));
            credits--;
          }
          if (options.endless) yield ids[index % ids.length];
          else if (index < ids.length) yield ids[index];
          else {
            yield imEnd;
            return;
          }
        }
      } finally {
        engine.closed++;
      }
    },
  };
  return engine;
}

/** The content of the last user message in a rendered prompt (found by marker ids). */
export function lastUserText(ids: number[], tokenizer: TokenizerLike) {
  const start = tokenizer.specialTokenId('<|im_start|>');
  const end = tokenizer.specialTokenId('<|im_end|>');
  const header = [
    start,
    ...tokenizer.encodeOrdinary('user'),
    tokenizer.specialTokenId('<|im_sep|>'),
  ];
  let from = -1;
  for (let index = 0; index + header.length <= ids.length; index++) {
    if (header.every((id, offset) => ids[index + offset] === id)) from = index + header.length;
  }
  if (from === -1) return '';
  const to = ids.indexOf(end!, from);
  return tokenizer.decode(ids.slice(from, to === -1 ? ids.length : to));
}
