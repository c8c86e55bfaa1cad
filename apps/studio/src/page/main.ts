// The studio page: wires the DOM to session.ts. Sets up WebGPU, opens the served or picked
// checkpoint, chats, fine-tunes with a live loss plot and a stop button, downloads the result.
// `window.lmkitStudio` exposes the session for the end-to-end test (and for the console).
import type { Message } from '@lmkit/core';
import { backendStatus, setBackend } from '@lmkit/gpt-model';
import {
  type CheckpointFiles,
  exportCheckpoint,
  fineTune,
  lastLogits,
  openCheckpoint,
  parseConversations,
  reply,
  type Session,
} from './session.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const messagesList = $<HTMLOListElement>('messages');
const sendButton = $<HTMLButtonElement>('send');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const downloadButton = $<HTMLButtonElement>('download');
const trainStatus = $('train-status');

let session: Session | undefined;
const history: Message[] = [];
let stopRequested = false;
const losses: number[] = [];

const studio = {
  ready: false,
  busy: false,
  error: undefined as string | undefined,
  losses,
  get session() {
    return session;
  },
  lastLogits: (ids: number[]) => lastLogits(session!, ids),
};
Object.assign(window, { lmkitStudio: studio });

function fail(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  studio.error = message;
  status.textContent = message;
  console.error(error);
}

function setBusy(busy: boolean) {
  studio.busy = busy;
  sendButton.disabled = busy || !session;
  trainButton.disabled = busy || !session;
  downloadButton.disabled = busy || !session;
}

async function use(files: CheckpointFiles, source: string) {
  session?.model.dispose();
  session = undefined;
  history.length = 0;
  messagesList.replaceChildren();
  session = await openCheckpoint(files, source);
  const { config } = session.model;
  $('checkpoint').textContent =
    `${source}: ${config.nLayer} layers, ${config.nEmbd} wide, context ${config.blockSize}, vocabulary ${config.vocabSize}`;
  setBusy(false);
}

async function openServed() {
  const listing = (await (await fetch('/checkpoint/')).json()) as string[];
  if (!listing.includes('model.safetensors')) return;
  const read = async (name: string) =>
    new Uint8Array(await (await fetch(`/checkpoint/${name}`)).arrayBuffer());
  const files = {
    'config.json': await read('config.json'),
    'model.safetensors': await read('model.safetensors'),
    'tokenizer.json': await read('tokenizer.json'),
    ...(listing.includes('manifest.json') ? { 'manifest.json': await read('manifest.json') } : {}),
  } as CheckpointFiles;
  await use(files, 'served checkpoint');
}

$<HTMLInputElement>('folder').addEventListener('change', async (event) => {
  const picked = [...((event.target as HTMLInputElement).files ?? [])];
  const byName = new Map(picked.map((file) => [file.name, file]));
  const missing = ['config.json', 'model.safetensors', 'tokenizer.json'].filter(
    (n) => !byName.has(n),
  );
  if (missing.length > 0)
    return fail(`the folder lacks ${missing.join(', ')}; pick a checkpoint folder`);
  const files: Record<string, Uint8Array> = {};
  for (const [name, file] of byName) files[name] = new Uint8Array(await file.arrayBuffer());
  const folder = picked[0].webkitRelativePath.split('/')[0] || 'picked folder';
  await use(files as unknown as CheckpointFiles, folder).catch(fail);
});

function bubble(role: Message['role'], text: string) {
  const item = document.createElement('li');
  item.className = role;
  item.textContent = text;
  messagesList.append(item);
  return item;
}

$<HTMLFormElement>('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const prompt = $<HTMLTextAreaElement>('prompt');
  const content = prompt.value.trim();
  if (!session || content === '') return;
  setBusy(true);
  history.push({ role: 'user', content });
  bubble('user', content);
  prompt.value = '';
  const item = bubble('assistant', '');
  try {
    let text = '';
    for await (const piece of reply(session, history, { maxNewTokens: 64 })) {
      text += piece;
      item.textContent = text;
    }
    history.push({ role: 'assistant', content: text === '' ? ' ' : text });
  } catch (error) {
    // Give the user their text back and drop the failed turn.
    history.pop();
    item.remove();
    prompt.value = content;
    fail(error);
  } finally {
    setBusy(false);
  }
});

function plot() {
  const svg = $('loss-plot');
  const width = 400;
  const height = 160;
  const pad = 28;
  const max = Math.max(...losses);
  const min = Math.min(...losses);
  const span = max - min || 1;
  const points = losses
    .map((loss, i) => {
      const x = pad + ((width - 2 * pad) * i) / Math.max(1, losses.length - 1);
      const y = height - pad - ((height - 2 * pad) * (loss - min)) / span;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  svg.innerHTML = `<title id="loss-title">Training loss per step</title>
    <polyline points="${points}"></polyline>
    <text x="2" y="${pad}">${max.toFixed(2)}</text>
    <text x="2" y="${height - pad}">${min.toFixed(2)}</text>
    <text x="${width - pad}" y="${height - 8}">step ${losses.length}</text>`;
}

$<HTMLFormElement>('train-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!session) return;
  const file = $<HTMLInputElement>('conversations').files?.[0];
  const steps = Number($<HTMLInputElement>('steps').value);
  const learningRate = Number($<HTMLInputElement>('learning-rate').value);
  if (!file) return fail('pick a conversations JSONL file first');
  if (!Number.isInteger(steps) || steps < 1)
    return fail(`steps is ${steps}; use a whole number ≥ 1`);
  if (!(learningRate > 0 && learningRate <= 1))
    return fail(`learning rate is ${learningRate}; use a number in (0, 1], e.g. 0.001`);
  const { conversations, skipped } = parseConversations(await file.text());
  setBusy(true);
  stopRequested = false;
  stopButton.disabled = false;
  try {
    await fineTune(session, {
      conversations,
      steps,
      learningRate,
      shouldStop: () => stopRequested,
      onStep(step, loss) {
        losses.push(loss);
        trainStatus.textContent = `step ${step}/${steps} · loss ${loss.toFixed(4)}${skipped.length ? ` · ${skipped.length} lines skipped` : ''}`;
        plot();
      },
    });
    trainStatus.textContent += stopRequested ? ' · stopped' : ' · done';
  } catch (error) {
    fail(error);
  } finally {
    stopButton.disabled = true;
    setBusy(false);
  }
});

stopButton.addEventListener('click', () => {
  stopRequested = true;
});

downloadButton.addEventListener('click', async () => {
  if (!session) return;
  setBusy(true);
  try {
    for (const [name, bytes] of await exportCheckpoint(session)) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      link.download = name;
      link.click();
      URL.revokeObjectURL(link.href);
    }
  } catch (error) {
    fail(error);
  } finally {
    setBusy(false);
  }
});

async function start() {
  try {
    await setBackend('webgpu', { nativeKernels: false });
  } catch (error) {
    return fail(error);
  }
  const adapter = backendStatus().adapter;
  status.textContent = `WebGPU: ${adapter?.description || adapter?.vendor || 'adapter'}${adapter?.software ? ' (software adapter: correct but slow)' : ''}`;
  await openServed().catch(fail);
  studio.ready = true;
}

void start();
