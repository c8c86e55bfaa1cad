// Token view shared by both pages: each token a coloured span (colours cycle, the Tiktokenizer
// way), special tokens outlined, assistant-reply tokens underlined, tokens that are part of a
// character shown as their bytes in hex (`<E4><BD>`, as the CLI does); ids listed alongside.

const palette = [
  'rgba(107, 64, 216, 0.25)',
  'rgba(104, 222, 122, 0.35)',
  'rgba(244, 172, 54, 0.35)',
  'rgba(239, 65, 70, 0.25)',
  'rgba(39, 181, 234, 0.3)',
];

/** Whitespace made visible without changing the layout of the text. */
function visible(text) {
  return text.replaceAll('\n', '↵\n').replaceAll('\t', '→\t');
}

/**
 * Fills `container` with token spans. `tokens`: [{ id, text, special, reply? }].
 * Returns counts: { total, reply, prompt }.
 */
export function renderTokens(container, tokens) {
  container.replaceChildren();
  let reply = 0;
  tokens.forEach((token, index) => {
    const span = document.createElement('span');
    span.className = 'token';
    if (token.special) span.classList.add('special');
    if (token.bytes) span.classList.add('bytes');
    if (token.reply) {
      span.classList.add('reply');
      reply++;
    } else if (token.reply === false) span.classList.add('prompt');
    span.style.backgroundColor = palette[index % palette.length];
    span.textContent = visible(token.text);
    span.title = `id ${token.id}${token.reply ? ' · reply' : ''}`;
    span.dataset.id = String(token.id);
    container.append(span);
  });
  return { total: tokens.length, reply, prompt: tokens.length - reply };
}

export function renderIds(container, tokens) {
  container.textContent = tokens.map((token) => token.id).join(', ');
}

let apiKey = sessionStorage.getItem('lmkit-api-key') ?? '';

/** The key sent as `Authorization: Bearer` to a server started with --api-key (kept for the tab). */
export function setApiKey(key) {
  apiKey = key;
  sessionStorage.setItem('lmkit-api-key', key);
}

/** fetch() with the API key, when one was given. */
export function apiFetch(path, init = {}) {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('authorization', `Bearer ${apiKey}`);
  return fetch(path, { ...init, headers });
}

export async function postJson(path, body) {
  const response = await apiFetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
  return json;
}
