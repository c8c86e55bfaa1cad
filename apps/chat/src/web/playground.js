// The tokenizer playground: tokenize the text with the chosen encoding on every edit (answers
// to older edits are dropped), and render a small conversation with the chat markers.
import { postJson, renderIds, renderTokens } from './tokens.js';

const $ = (id) => document.getElementById(id);
let latest = 0;

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

async function tokenize() {
  const request = ++latest;
  try {
    const result = await postJson('/api/tokenize', {
      encoding: $('encoding').value,
      text: $('text').value,
    });
    if (request !== latest) return;
    showError();
    renderTokens($('tokens'), result.tokens);
    renderIds($('ids'), result.tokens);
    $('token-count').textContent = String(result.count);
    $('char-count').textContent = String(result.characters);
    document.body.dataset.encoding = result.encoding;
  } catch (error) {
    if (request === latest) showError(error.message);
  }
}

async function renderConversation() {
  const messages = [
    { role: 'system', content: $('conv-system').value },
    { role: 'user', content: $('conv-user').value },
    { role: 'assistant', content: $('conv-assistant').value },
  ].filter((message) => message.content.length > 0);
  if (messages.length === 0) return;
  try {
    const result = await postJson('/api/render', { messages, encoding: $('encoding').value });
    renderTokens($('conv-tokens'), result.tokens);
    $('conv-count').textContent = String(result.count);
  } catch (error) {
    showError(error.message);
  }
}

const { encodings } = await fetch('/api/encodings').then((response) => response.json());
for (const encoding of encodings) {
  const option = document.createElement('option');
  option.value = encoding.name;
  option.textContent = `${encoding.name}: ${encoding.description}`;
  $('encoding').append(option);
}
$('encoding').addEventListener('change', () => Promise.all([tokenize(), renderConversation()]));
$('text').addEventListener('input', tokenize);
for (const id of ['conv-system', 'conv-user', 'conv-assistant']) {
  $(id).addEventListener('input', renderConversation);
}
await Promise.all([tokenize(), renderConversation()]);
document.body.dataset.ready = 'true';
