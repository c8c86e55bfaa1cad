// The chat page: keeps the conversation, streams each reply from /v1/chat/completions (SSE,
// read with fetch), lets the user stop it, and shows the conversation's tokens after each turn.
import { postJson, renderTokens } from './tokens.js';

const $ = (id) => document.getElementById(id);
const state = { model: '', messages: [], controller: undefined, chat: 0 };

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

function addBubble(role, text) {
  const bubble = document.createElement('div');
  bubble.className = `message ${role}`;
  bubble.dataset.role = role;
  bubble.textContent = text;
  $('messages').append(bubble);
  bubble.scrollIntoView({ block: 'end' });
  return bubble;
}

function conversation() {
  const system = $('system').value.trim();
  return [...(system ? [{ role: 'system', content: system }] : []), ...state.messages];
}

async function updateTokens() {
  const messages = conversation();
  if (messages.length === 0) {
    $('tokens').replaceChildren();
    $('token-counts').textContent = '';
    return;
  }
  const rendered = await postJson('/api/render', { messages });
  const counts = renderTokens($('tokens'), rendered.tokens);
  $('token-counts').textContent =
    `${counts.total} tokens: ${counts.prompt} prompt, ${counts.reply} reply (context ${rendered.context_tokens})`;
}

/** Yields the JSON payloads of a server-sent event stream until `data: [DONE]`. */
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return;
        yield JSON.parse(data);
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

async function send(text) {
  const chat = state.chat;
  showError();
  state.messages.push({ role: 'user', content: text });
  addBubble('user', text);
  const bubble = addBubble('assistant', '');
  bubble.classList.add('streaming');
  const controller = new AbortController();
  state.controller = controller;
  $('send').disabled = true;
  $('stop').disabled = false;
  let reply = '';
  try {
    const response = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: controller.signal,
      body: JSON.stringify({
        model: state.model,
        messages: conversation(),
        stream: true,
        temperature: Number($('temperature').value),
        top_p: Number($('top-p').value),
        max_tokens: Number($('max-tokens').value),
      }),
    });
    if (!response.ok) {
      const json = await response.json();
      throw new Error(json.error?.message ?? `HTTP ${response.status}`);
    }
    for await (const chunk of events(response.body)) {
      if (chunk.error) throw new Error(chunk.error.message);
      const delta = chunk.choices[0]?.delta?.content ?? '';
      reply += delta;
      bubble.textContent = reply;
      const finish = chunk.choices[0]?.finish_reason;
      if (finish) bubble.dataset.finishReason = finish;
    }
  } catch (error) {
    if (error.name === 'AbortError') bubble.dataset.finishReason = 'stopped';
    else showError(error.message);
  } finally {
    bubble.classList.remove('streaming');
    bubble.dataset.done = 'true';
    // A reply cut short by "New chat" belongs to the old conversation: drop it.
    if (state.chat === chat) state.messages.push({ role: 'assistant', content: reply });
    state.controller = undefined;
    $('send').disabled = false;
    $('stop').disabled = true;
  }
  await updateTokens().catch((error) => showError(error.message));
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('input').value.trim();
  if (!text || state.controller) return;
  $('input').value = '';
  send(text);
});
$('input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});
$('stop').addEventListener('click', () => state.controller?.abort());
$('new-chat').addEventListener('click', () => {
  state.controller?.abort();
  state.chat++;
  state.messages = [];
  $('messages').replaceChildren();
  showError();
  updateTokens();
});
for (const [input, output] of [
  ['temperature', 'temperature-value'],
  ['top-p', 'top-p-value'],
]) {
  $(input).addEventListener('input', () => {
    $(output).textContent = $(input).value;
  });
}
$('system').addEventListener('change', () => updateTokens().catch(() => {}));

const models = await fetch('/v1/models').then((response) => response.json());
state.model = models.data[0].id;
$('model').textContent = state.model;
document.body.dataset.ready = 'true';
