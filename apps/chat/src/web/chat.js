// The chat page: keeps the conversation, streams each reply from /v1/chat/completions (SSE,
// read with fetch), lets the user stop it, and shows the conversation's tokens after each turn.
// Before each request it fits the conversation into the model's context: the oldest turns are
// left out (the page says how many) and max_tokens is capped to the room left. A failed turn is
// taken back: its bubbles go and the text returns to the input box, so nothing is re-sent.
import { apiFetch, postJson, renderTokens, setApiKey } from './tokens.js';

const $ = (id) => document.getElementById(id);
const state = { model: '', messages: [], controller: undefined, chat: 0 };
/** Fewest reply tokens worth asking for; with less room, older turns are left out. */
const minReplyTokens = 16;

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

function showNote(message) {
  $('note').hidden = !message;
  $('note').textContent = message ?? '';
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

function systemMessages() {
  const system = $('system').value.trim();
  return system ? [{ role: 'system', content: system }] : [];
}

function conversation() {
  return [...systemMessages(), ...state.messages];
}

/** The max-tokens field: undefined when empty (the server's default), else a whole number ≥ 1. */
function maxTokensField() {
  const field = $('max-tokens');
  const raw = field.value.trim();
  if (raw === '') return { value: undefined };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    return {
      error: `Max tokens must be a whole number of at least 1 (got "${raw}"); leave it empty for the server's default.`,
    };
  }
  return { value };
}

function checkFields() {
  const maxTokens = maxTokensField();
  $('max-tokens').setAttribute('aria-invalid', String(Boolean(maxTokens.error)));
  return maxTokens;
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

/**
 * The turns to send and the reply budget: the newest turns that leave at least `minReplyTokens`
 * (or the asked max tokens, when smaller) of the context for the reply. Throws when even the
 * newest message alone does not fit.
 */
async function fitToContext(turns, askedMaxTokens) {
  const wanted = Math.min(askedMaxTokens ?? minReplyTokens, minReplyTokens);
  let from = 0;
  for (;;) {
    const messages = [...systemMessages(), ...turns.slice(from)];
    const rendered = await postJson('/api/render', { messages });
    const room = rendered.context_tokens - rendered.prompt_tokens;
    if (room >= wanted || (from === turns.length - 1 && room >= 1)) {
      const maxTokens = Math.min(askedMaxTokens ?? room, room);
      return { messages, maxTokens, dropped: from };
    }
    if (from >= turns.length - 1) {
      throw new Error(
        `This message takes ${rendered.prompt_tokens} tokens with the system prompt, and the model's context is ${rendered.context_tokens}: shorten it.`,
      );
    }
    // Leave out the oldest turn, and the reply that answered it.
    from += turns[from].role === 'user' && turns[from + 1]?.role === 'assistant' ? 2 : 1;
    if (from > turns.length - 1) from = turns.length - 1;
  }
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
  const fields = checkFields();
  if (fields.error) {
    showError(fields.error);
    $('input').value = text;
    return;
  }
  const turns = [...state.messages, { role: 'user', content: text }];
  const userBubble = addBubble('user', text);
  const bubble = addBubble('assistant', '');
  bubble.classList.add('streaming');
  const controller = new AbortController();
  state.controller = controller;
  $('send').disabled = true;
  $('stop').disabled = false;
  let reply = '';
  let failed;
  try {
    const fit = await fitToContext(turns, fields.value);
    showNote(
      fit.dropped > 0
        ? `${fit.dropped} earlier message${fit.dropped === 1 ? '' : 's'} left out to fit the model's context; the reply may use up to ${fit.maxTokens} tokens.`
        : undefined,
    );
    const response = await apiFetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: controller.signal,
      body: JSON.stringify({
        model: state.model,
        messages: fit.messages,
        stream: true,
        temperature: Number($('temperature').value),
        top_p: Number($('top-p').value),
        max_tokens: fit.maxTokens,
      }),
    });
    if (!response.ok) {
      const json = await response.json().catch(() => ({}));
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
    else failed = error;
  } finally {
    bubble.classList.remove('streaming');
    state.controller = undefined;
    $('send').disabled = false;
    $('stop').disabled = true;
  }
  // A reply cut short by "New chat" belongs to the old conversation: drop it.
  if (state.chat !== chat) return;
  if (failed || (reply === '' && bubble.dataset.finishReason === 'stopped')) {
    // Take the turn back: no empty bubble, nothing queued to re-send; the text is the user's again.
    userBubble.remove();
    bubble.remove();
    if ($('input').value === '') $('input').value = text;
    if (failed) showError(failed.message);
    return;
  }
  // The model may end its turn at once: an empty reply, marked as such.
  if (reply === '') bubble.classList.add('empty');
  bubble.dataset.done = 'true';
  state.messages = [...turns, { role: 'assistant', content: reply }];
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
  showNote();
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
$('max-tokens').addEventListener('input', () => showError(checkFields().error));
$('system').addEventListener('change', () => updateTokens().catch(() => {}));
$('api-key').addEventListener('change', () => {
  setApiKey($('api-key').value.trim());
  loadModel();
});

async function loadModel() {
  const response = await apiFetch('/v1/models');
  if (response.status === 401) {
    $('api-key-label').hidden = false;
    showError('This server requires an API key: enter it under Settings.');
    return;
  }
  const models = await response.json();
  state.model = models.data[0].id;
  $('model').textContent = state.model;
  showError();
  document.body.dataset.ready = 'true';
}

await loadModel();
