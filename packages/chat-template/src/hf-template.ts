// Renders Hugging Face `chat_template` Jinja strings (from a model's tokenizer_config.json) through
// @huggingface/jinja, so apps can speak other models' formats; also our own protocol as such a
// template, for exporting a tokenizer_config.json that transformers can use.

import { Template } from '@huggingface/jinja';
import { ChatTemplateError } from './errors.ts';
import type { Message } from './markers.ts';

/** The lmkit protocol as a Hugging Face chat template (reasoning from `reasoning_content`). */
export const LMKIT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '<|im_sep|>' }}" +
  "{% if message['reasoning_content'] is defined %}{{ '<think>' + message['reasoning_content'] + '</think>' }}{% endif %}" +
  "{{ message['content'] + '<|im_end|>' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}";

export interface RenderChatTemplateOptions {
  /** The Jinja source, e.g. `tokenizer_config.json`'s `chat_template`. */
  template: string;
  messages: readonly Message[];
  /** Sets `add_generation_prompt`; default false. */
  addGenerationPrompt?: boolean;
  /** `bos_token` / `eos_token` as the template expects them (from tokenizer_config.json); default ''. */
  bosToken?: string;
  eosToken?: string;
  /** Further variables the template reads (e.g. `tools`, `date_string`). */
  variables?: Record<string, unknown>;
}

/**
 * Renders messages with a Hugging Face chat template. A message's `reasoning` is passed as
 * `reasoning_content` (the field name DeepSeek-R1-style templates read); the template's
 * `raise_exception(msg)` becomes a ChatTemplateError carrying `msg`.
 */
export function renderChatTemplate(options: RenderChatTemplateOptions): string {
  let template: Template;
  try {
    template = new Template(options.template);
  } catch (error) {
    throw new ChatTemplateError(
      `chat template does not parse: ${(error as Error).message}; check the Jinja source`,
    );
  }
  const messages = options.messages.map((m) =>
    m.reasoning === undefined
      ? { role: m.role, content: m.content }
      : { role: m.role, content: m.content, reasoning_content: m.reasoning },
  );
  try {
    return template.render({
      ...options.variables,
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? false,
      bos_token: options.bosToken ?? '',
      eos_token: options.eosToken ?? '',
    });
  } catch (error) {
    // Includes the template's own raise_exception('...') (provided by @huggingface/jinja).
    throw new ChatTemplateError(
      `the chat template refused or failed to render the conversation: ${(error as Error).message}`,
    );
  }
}

/**
 * The chat template of a `tokenizer_config.json` object: `chat_template` is either a string or a
 * list of `{ name, template }` (then `name`, default 'default', picks one).
 */
export function chatTemplateFromConfig(config: unknown, name = 'default'): string {
  const value = (config as { chat_template?: unknown } | null)?.chat_template;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const found = value.find((entry) => entry?.name === name);
    if (typeof found?.template === 'string') return found.template;
    const names = value.map((entry) => entry?.name).join(', ');
    throw new ChatTemplateError(
      `tokenizer_config.json has no chat template named ${JSON.stringify(name)}; it has: ${names}`,
    );
  }
  throw new ChatTemplateError(
    `tokenizer_config.json has no chat_template (found ${typeof value}); the model ships no chat format`,
  );
}

/**
 * `bos_token` / `eos_token` of a `tokenizer_config.json`, which stores each either as a string or as
 * an added-token object `{ content: '<s>', ... }`; '' when absent.
 */
export function specialTokensFromConfig(config: unknown): { bosToken: string; eosToken: string } {
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const content = (value as { content?: unknown } | null)?.content;
    return typeof content === 'string' ? content : '';
  };
  const c = config as { bos_token?: unknown; eos_token?: unknown } | null;
  return { bosToken: text(c?.bos_token), eosToken: text(c?.eos_token) };
}
