import { describe, expect, it } from 'vitest';
import { renderText } from './index.ts';

describe('renderText', () => {
  it('renders each message between markers and appends the generation prompt', () => {
    const text = renderText(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
      { addGenerationPrompt: true },
    );
    expect(text).toBe(
      '<|im_start|>system<|im_sep|>Be brief.<|im_end|><|im_start|>user<|im_sep|>Hi<|im_end|><|im_start|>assistant<|im_sep|>',
    );
  });

  it('puts reasoning between think markers before the answer', () => {
    expect(renderText({ messages: [{ role: 'assistant', content: '4', reasoning: '2+2' }] })).toBe(
      '<|im_start|>assistant<|im_sep|><think>2+2</think>4<|im_end|>',
    );
  });

  it('renders nothing for an empty conversation without a generation prompt', () => {
    expect(renderText({ messages: [] })).toBe('');
  });
});
