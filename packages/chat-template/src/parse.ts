// Turns a rendered or generated sequence (ids, or text) back into messages, stopping after the
// last <|im_end|> that is not followed by a new <|im_start|>. Ids are split on the marker ids, so
// content that spells a marker as ordinary text comes back as text; text input splits on spellings.

import type { Message, Role } from '@lmkit/core';
import * as markers from '@lmkit/core';
import { ChatTemplateError } from './errors.ts';

const { END_OF_TEXT, IM_END, IM_SEP, IM_START, ROLES, THINK_END, THINK_START } = markers;

import type { TokenizerLike } from './tokenizer.ts';

export interface Parsed {
  messages: Message[];
  /** False when the sequence ends inside a message (no closing <|im_end|> yet). */
  complete: boolean;
}

type Piece = { marker: string } | { text: string };
const PIECE_MARKERS = [IM_START, IM_SEP, IM_END, THINK_START, THINK_END, END_OF_TEXT];

/**
 * Parses `<|im_start|>role<|im_sep|>[<think>reasoning</think>]content<|im_end|>...`.
 * Ids need the tokenizer (to find marker ids and decode the text between them); text does not.
 * An unfinished last message is returned as far as it goes, with `complete: false`.
 */
export function parse(input: readonly number[] | string, tokenizer?: TokenizerLike): Parsed {
  return parsePieces(toPieces(input, tokenizer));
}

/**
 * Parses what a model generated after the generation prompt `<|im_start|>assistant<|im_sep|>`:
 * the reply up to its <|im_end|> (anything after it is ignored).
 */
export function parseReply(
  input: readonly number[] | string,
  tokenizer?: TokenizerLike,
): { message: Message; complete: boolean } {
  const pieces: Piece[] = [{ marker: IM_START }, { text: 'assistant' }, { marker: IM_SEP }];
  const parsed = parsePieces([...pieces, ...toPieces(input, tokenizer)], true);
  return { message: parsed.messages[0], complete: parsed.complete };
}

function toPieces(
  input: readonly number[] | string,
  tokenizer: TokenizerLike | undefined,
): Piece[] {
  if (typeof input === 'string') {
    const pattern = new RegExp(`(${PIECE_MARKERS.map(escapeRegExp).join('|')})`);
    return input
      .split(pattern)
      .map((part, i): Piece => (i % 2 === 1 ? { marker: part } : { text: part }))
      .filter((piece) => !('text' in piece) || piece.text !== '');
  }
  if (!tokenizer) {
    throw new ChatTemplateError('parse(ids) needs the tokenizer that produced the ids');
  }
  const names = new Map<number, string>();
  for (const name of PIECE_MARKERS) {
    const id = tokenizer.specialTokenId(name);
    if (id !== undefined) names.set(id, name);
  }
  const pieces: Piece[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) pieces.push({ text: tokenizer.decode(run) });
    run = [];
  };
  for (const id of input) {
    const name = names.get(id);
    if (name === undefined) {
      run.push(id);
    } else {
      flush();
      pieces.push({ marker: name });
    }
  }
  flush();
  return pieces;
}

function parsePieces(pieces: Piece[], single = false): Parsed {
  const messages: Message[] = [];
  let k = 0;
  const isMarker = (name: string) => k < pieces.length && markerOf(pieces[k]) === name;
  const takeText = () => {
    const piece = pieces[k];
    if (piece !== undefined && 'text' in piece) {
      k++;
      return piece.text;
    }
    return '';
  };
  let index = 0;
  const expect = (name: string) => {
    if (k >= pieces.length) return false;
    if (!isMarker(name)) {
      const found = describe(pieces[k]);
      throw new ChatTemplateError(
        `expected ${name} in message ${index}, found ${found}; the sequence is not in the chat format`,
      );
    }
    k++;
    return true;
  };
  while (k < pieces.length) {
    if (!isMarker(IM_START)) {
      if (messages.length === 0) {
        throw new ChatTemplateError(
          `expected ${IM_START} at the start, found ${describe(pieces[k])}`,
        );
      }
      break; // what follows the last <|im_end|> (e.g. <|endoftext|>) is not part of the chat
    }
    k++;
    index = messages.length;
    const roleText = takeText();
    if (!expect(IM_SEP)) return { messages, complete: false };
    if (!ROLES.includes(roleText as Role)) {
      throw new ChatTemplateError(
        `message ${messages.length} has role ${JSON.stringify(roleText)}; expected one of ${ROLES.join(', ')}`,
      );
    }
    const message: Message = { role: roleText as Role, content: '' };
    messages.push(message);
    if (isMarker(THINK_START)) {
      k++;
      message.reasoning = takeText();
      if (!expect(THINK_END)) return { messages, complete: false };
    }
    message.content = takeText();
    if (!expect(IM_END)) return { messages, complete: false };
    if (single) break;
  }
  return { messages, complete: true };
}

function markerOf(piece: Piece): string | undefined {
  return 'marker' in piece ? piece.marker : undefined;
}

function describe(piece: Piece): string {
  return 'marker' in piece ? piece.marker : `text ${JSON.stringify(piece.text.slice(0, 40))}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
