// Distillation: prompts (JSONL) → a teacher's replies (any OpenAI-compatible endpoint) → chat JSONL
// that readChatJsonl and SFT read, with the teacher's reasoning kept. A few requests run at once;
// output is appended as replies come, so a rerun after a kill skips every prompt already answered
// (kept, or rejected with a reason), and repairs a line torn by the kill. Replies that are empty,
// truncated (finish_reason length) or duplicates of a kept reply are set aside, each with its reason.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import { type Conversation, LmkitError, type Message } from '@lmkit/core';
import { checkConversation, newLoadReport, readJsonLines } from '@lmkit/datasets';
import {
  askTeacher,
  type TeacherOptions,
  TeacherRequestError,
  TeacherUnavailableError,
} from './teacher-client.ts';

export interface DistillOptions extends Omit<TeacherOptions, 'onRetry'> {
  /** Prompts, one JSON object per line: `{ id?, prompt }`, `{ id?, input }` or `{ id?, messages }`. */
  input: string;
  /** Kept conversations (appended); set-aside replies go to `<output>.rejected.jsonl`. */
  output: string;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Prepended as a system message to prompts that have none. */
  systemPrompt?: string;
  /** Told of each retry and each finished prompt. */
  onEvent?: (event: DistillEvent) => void;
}

export type DistillEvent =
  | { kind: 'retry'; id: string; attempt: number; reason: string; waitMs: number }
  | { kind: 'done'; id: string; outcome: 'kept' | 'failed' | string };

export interface DistillReport {
  /** Prompt lines read (blank lines aside). */
  prompts: number;
  /** Skipped because an earlier run answered them. */
  alreadyDone: number;
  /** Conversations written this run. */
  kept: number;
  /** Prompts and replies set aside, by reason. */
  rejected: Record<string, number>;
  /** Prompts whose every attempt failed (not recorded, so a rerun tries them again). */
  failed: number;
  /** Retries made across all prompts. */
  retries: number;
}

/** Fatal for the whole run: the endpoint refuses every request (bad URL, model or key). */
export class DistillError extends LmkitError {}

export async function distill(options: DistillOptions): Promise<DistillReport> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DistillError(`concurrency ${concurrency} must be a whole number ≥ 1 (e.g. 4)`);
  }
  const rejectedPath = `${options.output}.rejected.jsonl`;
  const kept = await loadAnswered(options.output);
  const rejected = await loadAnswered(rejectedPath);
  const seen = new Set<string>();
  const replies = new Set(kept.replyKeys);
  const report: DistillReport = {
    prompts: 0,
    alreadyDone: 0,
    kept: 0,
    rejected: {},
    failed: 0,
    retries: 0,
  };
  const reject = (reason: string) => {
    report.rejected[reason] = (report.rejected[reason] ?? 0) + 1;
  };
  const keptFile = await open(options.output, 'a');
  const rejectedFile = await open(rejectedPath, 'a');
  let writing = Promise.resolve();
  const append = (file: typeof keptFile, row: object) => {
    writing = writing.then(() => file.write(`${JSON.stringify(row)}\n`)).then(() => undefined);
    return writing;
  };
  const loadReport = newLoadReport();
  const lines = readJsonLines({ path: options.input, skipInvalid: true, report: loadReport })[
    Symbol.asyncIterator
  ]();
  let fatal: unknown;

  const work = async () => {
    for (
      let next = await lines.next();
      !next.done && fatal === undefined;
      next = await lines.next()
    ) {
      report.prompts++;
      const prompt = promptOf(next.value.value, options.systemPrompt);
      if ('problem' in prompt) {
        reject(prompt.problem);
        continue;
      }
      const { id, messages } = prompt;
      if (kept.ids.has(id) || rejected.ids.has(id)) {
        report.alreadyDone++;
        continue;
      }
      if (seen.has(id)) {
        reject('duplicate prompt');
        continue;
      }
      seen.add(id);
      let outcome: string;
      try {
        const answer = await askTeacher(messages, {
          ...options,
          onRetry: (info) => {
            report.retries++;
            options.onEvent?.({ kind: 'retry', id, ...info });
          },
        });
        const key = replyKey(answer.content);
        outcome =
          answer.content.trim() === ''
            ? 'empty reply'
            : answer.finishReason === 'length'
              ? 'truncated reply'
              : replies.has(key)
                ? 'duplicate reply'
                : 'kept';
        if (outcome === 'kept') {
          replies.add(key);
          const reply: Message = { role: 'assistant', content: answer.content };
          if (answer.reasoning !== undefined) reply.reasoning = answer.reasoning;
          report.kept++;
          await append(keptFile, {
            id,
            messages: [...messages, reply],
            teacher: { model: options.model, finish_reason: answer.finishReason },
          });
        } else {
          reject(outcome);
          await append(rejectedFile, {
            id,
            reason: outcome,
            finish_reason: answer.finishReason,
            content: answer.content,
          });
        }
      } catch (error) {
        if (error instanceof TeacherUnavailableError) {
          outcome = 'failed';
          report.failed++;
        } else if (
          error instanceof TeacherRequestError &&
          ![401, 403, 404].includes(error.status)
        ) {
          outcome = `request refused (HTTP ${error.status})`;
          reject(outcome);
          await append(rejectedFile, { id, reason: outcome, detail: error.message });
        } else {
          fatal ??= error;
          return;
        }
      }
      options.onEvent?.({ kind: 'done', id, outcome });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, work));
    await writing;
  } finally {
    await keptFile.close();
    await rejectedFile.close();
  }
  if (fatal !== undefined) {
    const error = fatal as Error;
    throw error instanceof TeacherRequestError
      ? new DistillError(`${error.message}; check --base-url, --model and --api-key`, {
          cause: error,
        })
      : error;
  }
  for (const [reason, count] of Object.entries(loadReport.skipped)) report.rejected[reason] = count;
  return report;
}

type Prompt = { id: string; messages: Message[] } | { problem: string };

/** A prompt row as messages ending with a user message, with its id (given, or a content hash). */
export function promptOf(row: unknown, systemPrompt?: string): Prompt {
  const value = (row ?? {}) as Record<string, unknown>;
  const text = value.prompt ?? value.input;
  let messages: Message[];
  if (typeof text === 'string') messages = [{ role: 'user', content: text }];
  else if (Array.isArray(value.messages)) messages = value.messages as Message[];
  else return { problem: 'no prompt' };
  if (systemPrompt && messages[0]?.role !== 'system') {
    messages = [{ role: 'system', content: systemPrompt }, ...messages];
  }
  const conversation: Conversation = { messages };
  if (checkConversation(conversation) || messages.at(-1)?.role !== 'user') {
    return { problem: 'bad prompt' };
  }
  const id =
    typeof value.id === 'string' || typeof value.id === 'number'
      ? String(value.id)
      : createHash('sha256').update(JSON.stringify(messages)).digest('hex').slice(0, 16);
  return { id, messages };
}

/** Replies compared with whitespace runs folded and ends trimmed. */
function replyKey(content: string): string {
  return content.trim().replace(/\s+/g, ' ');
}

/** Ids (and kept reply keys) in an earlier run's file; a torn last line is cut off. */
async function loadAnswered(path: string): Promise<{ ids: Set<string>; replyKeys: string[] }> {
  const ids = new Set<string>();
  const replyKeys: string[] = [];
  if (!existsSync(path)) return { ids, replyKeys };
  const text = await readFile(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end)));
  for (const [index, line] of text.slice(0, end).split('\n').entries()) {
    if (line.trim() === '') continue;
    let row: { id: string; messages?: Message[] };
    try {
      row = JSON.parse(line);
    } catch {
      throw new DistillError(
        `${path}:${index + 1} is not valid JSON, so the earlier run cannot be resumed; fix or remove that line`,
      );
    }
    ids.add(row.id);
    const last = row.messages?.at(-1);
    if (last?.role === 'assistant') replyKeys.push(replyKey(last.content));
  }
  return { ids, replyKeys };
}
