// What `lmkit-train loop` and `lmkit-train eval` share: finding a checkpoint (a checkpoint folder,
// or the --out of a training run or loop: its newest checkpoint), loading a chat checkpoint or a
// reward model saved by `lmkit-train reward`, reading prompts (oasst1 trees, {messages} rows or
// {prompt} rows, split into train and held-out by tree or row), and sampling a chat reply.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tokenizer, tokenizerFromJSON } from '@lmkit/bpe';
import { ContextOverflowError, IM_END, render } from '@lmkit/chat-template';
import { checkInput, UsageError } from '@lmkit/cli-kit';
import {
  checkConversation,
  checkOasstTree,
  type Message,
  newLoadReport,
  type OasstMessage,
  oasstThreads,
  readJsonLines,
  splitOf,
} from '@lmkit/datasets';
import type { GPT } from '@lmkit/gpt-model';
import {
  listCheckpoints,
  loadCheckpoint,
  loadRewardModel,
  type RewardModel,
  readTrainerState,
  TrainerConfigError,
  verifyCheckpoint,
} from '@lmkit/trainer';

/**
 * The checkpoint folder `dir` names: itself when it holds a manifest.json, else the newest
 * `step-N` under it, under its checkpoints/, or under its newest loop round (round-N/checkpoints).
 */
export function findCheckpoint(dir: string, flagName: string): string {
  checkInput(flagName, dir, 'folder');
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const newest = (root: string) => listCheckpoints(root).at(-1)?.dir;
  const found = newest(join(dir, 'checkpoints')) ?? newest(dir) ?? newestRoundCheckpoint(dir);
  if (found) return found;
  throw new UsageError(
    `${flagName} ${dir}: no checkpoint there (no manifest.json, no checkpoints/step-N); give a checkpoint folder or the --out of a training run`,
  );
}

/** The newest checkpoint of a loop's --out: the last round that has one. */
export function newestRoundCheckpoint(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const rounds = readdirSync(dir)
    .map((name) => /^round-(\d+)$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => b - a);
  for (const round of rounds) {
    const found = listCheckpoints(join(dir, `round-${round}`, 'checkpoints')).at(-1);
    if (found) return found.dir;
  }
  return undefined;
}

export interface ChatCheckpoint {
  dir: string;
  model: GPT;
  tokenizer: Tokenizer;
  tokenizerJson: unknown;
}

/** A checkpoint with its tokenizer (needed to render chats), manifest checked. */
export async function loadChatCheckpoint(dir: string, flagName: string): Promise<ChatCheckpoint> {
  const found = findCheckpoint(dir, flagName);
  const { model, tokenizerJson } = await loadCheckpoint(found);
  if (!tokenizerJson) {
    model.dispose();
    throw new TrainerConfigError(
      `${flagName} ${found} has no tokenizer.json; give a checkpoint written by lmkit-train (sft, dpo, loop)`,
    );
  }
  return { dir: found, model, tokenizer: tokenizerFromJSON(tokenizerJson as never), tokenizerJson };
}

export interface RewardCheckpoint {
  dir: string;
  model: RewardModel;
  tokenizer: Tokenizer;
  tokenizerJson: unknown;
}

/** A reward model saved by `lmkit-train reward` (trainer-state kind 'reward', score head). */
export async function loadRewardCheckpoint(
  dir: string,
  flagName = '--reward-model',
): Promise<RewardCheckpoint> {
  const found = findCheckpoint(dir, flagName);
  const kind = existsSync(join(found, 'trainer-state.json'))
    ? readTrainerState(found).kind
    : undefined;
  if (kind !== 'reward')
    throw new UsageError(
      `${flagName} ${found} is a ${kind ?? 'plain'} checkpoint, not a reward model; give the --out of \`lmkit-train reward\``,
    );
  verifyCheckpoint(found);
  const tokenizerPath = join(found, 'tokenizer.json');
  if (!existsSync(tokenizerPath))
    throw new TrainerConfigError(`${flagName} ${found} has no tokenizer.json to render chats with`);
  const tokenizerJson = JSON.parse(readFileSync(tokenizerPath, 'utf8'));
  const model = await loadRewardModel(found);
  return { dir: found, model, tokenizer: tokenizerFromJSON(tokenizerJson as never), tokenizerJson };
}

/** Throws unless two checkpoints encode text the same way (same tokenizer.json). */
export function checkSameTokenizer(
  a: { dir: string; tokenizerJson: unknown },
  b: { dir: string; tokenizerJson: unknown },
  fix: string,
): void {
  if (JSON.stringify(a.tokenizerJson) !== JSON.stringify(b.tokenizerJson))
    throw new UsageError(`${b.dir} has another tokenizer than ${a.dir}; ${fix}`);
}

export interface PromptSplit {
  train: Message[][];
  validation: Message[][];
  /** Rows or trees given, and rows left out by reason. */
  rows: number;
  skipped: Record<string, number>;
}

/**
 * Prompts from a JSONL file, each row one of: an oasst1 tree (`{ message_tree_id, prompt: {
 * text, role, replies } }`: every user turn of every thread, with the turns before it), `{ messages
 * }` (the conversation up to its last user message) or `{ prompt }` (text, or messages). Duplicates
 * are dropped; a tree (or a row) goes whole to train or validation by a stable hash.
 */
export async function readPrompts(options: {
  path: string;
  validationFraction: number;
  flagName?: string;
}): Promise<PromptSplit> {
  const flagName = options.flagName ?? '--prompts';
  checkInput(flagName, options.path);
  const out: PromptSplit = { train: [], validation: [], rows: 0, skipped: {} };
  const seen = new Set<string>();
  const skip = (reason: string) => {
    out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
  };
  const add = (group: string, prompt: Message[]) => {
    const key = JSON.stringify(prompt);
    if (seen.has(key)) return skip('duplicate prompt');
    seen.add(key);
    const side = splitOf(group, { validationFraction: options.validationFraction });
    out[side].push(prompt);
  };
  const report = newLoadReport();
  for await (const record of readJsonLines({ path: options.path, report })) {
    out.rows++;
    const row = record.value as Record<string, unknown> | null;
    const where = `${options.path}:${record.lineNumber}`;
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw new TrainerConfigError(
        `${where}: a row must be a JSON object with messages, prompt, or an oasst1 tree`,
      );
    const tree = row.prompt as OasstMessage | undefined;
    if (tree && typeof tree === 'object' && !Array.isArray(tree) && 'replies' in tree) {
      const problem = checkOasstTree(tree, 'prompt');
      if (problem) {
        skip(problem.reason);
        continue;
      }
      const group = String(tree.message_id ?? row.message_tree_id ?? record.lineNumber);
      // The threads of a tree share their first turns: each prefix once per tree.
      const prefixes = new Map<string, Message[]>();
      for (const thread of oasstThreads(tree, { paths: 'all', endWithAssistant: false }))
        for (const prompt of userPrefixes(thread.messages))
          prefixes.set(JSON.stringify(prompt), prompt);
      for (const prompt of prefixes.values()) add(group, prompt);
      continue;
    }
    const messages = Array.isArray(row.messages)
      ? toMessages(row.messages, `${where}: messages`)
      : row.prompt !== undefined
        ? typeof row.prompt === 'string'
          ? [{ role: 'user' as const, content: row.prompt }]
          : toMessages(row.prompt, `${where}: prompt`)
        : undefined;
    if (!messages)
      throw new TrainerConfigError(
        `${where}: the row has neither messages nor prompt; give {"prompt": "text"}, {"messages": [...]} or an oasst1 tree per line`,
      );
    let end = messages.length;
    while (end > 0 && messages[end - 1].role !== 'user') end--;
    if (end === 0) {
      skip('no user message');
      continue;
    }
    add(JSON.stringify(messages.slice(0, end)), messages.slice(0, end));
  }
  return out;
}

/** Each prefix of a thread that ends with a user message. */
function userPrefixes(messages: Message[]): Message[][] {
  return messages.flatMap((message, i) =>
    message.role === 'user' ? [messages.slice(0, i + 1)] : [],
  );
}

/** Messages checked as datasets checks every conversation (roles, order, content), as { role, content }. */
function toMessages(value: unknown, where: string): Message[] {
  const problem = checkConversation({ messages: value });
  if (problem) throw new TrainerConfigError(`${where}: ${problem.field} ${problem.problem}`);
  return (value as Message[]).map(({ role, content }) => ({ role, content }));
}

/** One line: `rows, kept train / held out, left out by reason`. */
export function describePrompts(path: string, split: PromptSplit): string {
  const left = Object.entries(split.skipped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `prompts: ${split.train.length} train / ${split.validation.length} held out from ${split.rows} rows of ${path}${left ? ` (left out: ${left})` : ''}`;
}

/**
 * A prompt rendered for generation (ending in the assistant header) with room for `maxNewTokens`
 * in a context of `blockSize` tokens: earlier turns are dropped to fit; undefined when even the
 * last user turn does not fit.
 */
export function renderPrompt(
  prompt: Message[],
  tokenizer: Tokenizer,
  room: { blockSize: number; maxNewTokens: number },
): number[] | undefined {
  const maxTokens = room.blockSize - room.maxNewTokens;
  if (maxTokens < 1) return undefined;
  try {
    return render({ messages: prompt }, tokenizer, { addGenerationPrompt: true, maxTokens }).ids;
  } catch (error) {
    if (error instanceof ContextOverflowError) return undefined;
    throw error;
  }
}

/** The id of `<|im_end|>`, which ends a reply; an error naming the fix when the tokenizer lacks it. */
export function endOfTurnId(tokenizer: Tokenizer, dir: string): number {
  const id = tokenizer.specialTokenId(IM_END);
  if (id === undefined)
    throw new TrainerConfigError(
      `${dir}'s tokenizer has no ${IM_END}; give a chat (SFT) checkpoint, whose tokenizer has the chat markers`,
    );
  return id;
}

/** A reply sampled from `model` for a rendered prompt, as the assistant message it makes. */
export async function sampleReply(
  model: GPT,
  tokenizer: Tokenizer,
  promptIds: number[],
  options: {
    maxNewTokens: number;
    temperature?: number;
    topK?: number;
    topP?: number;
    seed: number;
    stop: number;
  },
): Promise<Message[]> {
  const ids: number[] = [];
  for await (const id of model.generate(promptIds, {
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    topK: options.topK,
    topP: options.topP,
    seed: options.seed,
    stop: [options.stop],
  })) {
    if (id === options.stop) break;
    ids.push(id);
  }
  return [{ role: 'assistant', content: tokenizer.decode(ids) }];
}
