// Known renderings, written from the published templates' semantics (ChatML, Llama 3 Instruct,
// Qwen2's default system prompt, Mistral Instruct's role check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chatTemplateFromConfig,
  LMKIT_CHAT_TEMPLATE,
  type Message,
  renderChatTemplate,
  renderText,
  specialTokensFromConfig,
} from './index.ts';

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const LLAMA3 =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const DEFAULT_SYSTEM =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const MISTRAL =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

const chat: Message[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: '  Hi  ' },
];

describe('renderChatTemplate', () => {
  it('renders ChatML', () => {
    expect(
      renderChatTemplate({ template: CHATML, messages: chat, addGenerationPrompt: true }),
    ).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n  Hi  <|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('renders Llama 3 Instruct with its BOS and trimmed content', () => {
    const text = renderChatTemplate({
      template: LLAMA3,
      messages: chat,
      addGenerationPrompt: true,
      bosToken: '<|begin_of_text|>',
    });
    expect(text).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('adds a default system prompt only when the conversation has none', () => {
    const withoutSystem = renderChatTemplate({
      template: DEFAULT_SYSTEM,
      messages: [{ role: 'user', content: 'Hi' }],
      addGenerationPrompt: true,
    });
    expect(withoutSystem).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
    const withSystem = renderChatTemplate({ template: DEFAULT_SYSTEM, messages: chat });
    expect(withSystem).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n  Hi  <|im_end|>\n',
    );
  });

  it("runs a template's raise_exception as a ChatTemplateError", () => {
    const ok = renderChatTemplate({
      template: MISTRAL,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      bosToken: '<s>',
      eosToken: '</s>',
    });
    expect(ok).toBe('<s>[INST] Hi [/INST]Hello</s>[INST] Again [/INST]');
    expect(() => renderChatTemplate({ template: MISTRAL, messages: chat })).toThrow(
      /refused or failed to render the conversation: Conversation roles must alternate/,
    );
    expect(() => renderChatTemplate({ template: '{% for %}', messages: [] })).toThrow(
      /does not parse/,
    );
  });

  it('renders our protocol as a Hugging Face template exactly like renderText', () => {
    const message = fc.record(
      {
        role: fc.constantFrom('system' as const, 'user' as const, 'assistant' as const),
        content: fc.string(),
        reasoning: fc.string(),
      },
      { requiredKeys: ['role', 'content'] },
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 4 }), fc.boolean(), (messages, gen) => {
        expect(
          renderChatTemplate({ template: LMKIT_CHAT_TEMPLATE, messages, addGenerationPrompt: gen }),
        ).toBe(renderText({ messages }, { addGenerationPrompt: gen }));
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});

describe('chatTemplateFromConfig', () => {
  it('reads a string or a named entry of tokenizer_config.json', () => {
    expect(chatTemplateFromConfig({ chat_template: CHATML })).toBe(CHATML);
    const config = {
      chat_template: [
        { name: 'default', template: CHATML },
        { name: 'tool_use', template: LLAMA3 },
      ],
    };
    expect(chatTemplateFromConfig(config, 'tool_use')).toBe(LLAMA3);
    expect(() => chatTemplateFromConfig(config, 'rag')).toThrow(
      /named "rag"; it has: default, tool_use/,
    );
    expect(() => chatTemplateFromConfig({})).toThrow(/no chat_template/);
  });

  it('reads bos/eos tokens stored as strings or added-token objects', () => {
    const config = {
      bos_token: { content: '<|begin_of_text|>', lstrip: false },
      eos_token: '<|eot_id|>',
      chat_template: LLAMA3,
    };
    const tokens = specialTokensFromConfig(config);
    expect(tokens).toEqual({ bosToken: '<|begin_of_text|>', eosToken: '<|eot_id|>' });
    const text = renderChatTemplate({
      template: chatTemplateFromConfig(config),
      messages: [{ role: 'user', content: 'x' }],
      ...tokens,
    });
    expect(text.startsWith('<|begin_of_text|><|start_header_id|>user')).toBe(true);
    expect(specialTokensFromConfig({})).toEqual({ bosToken: '', eosToken: '' });
  });
});
