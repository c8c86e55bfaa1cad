#!/usr/bin/env node
// lmkit-studio: serves the studio page (chat and fine-tune a checkpoint in a browser tab on WebGPU)
// and, with --checkpoint, that checkpoint for the page to open.
import { flag, formatHelp, parseFlags, programVersion, runCli } from '@lmkit/cli-kit';
import { startStudio } from './server.ts';

const flags = {
  checkpoint: flag.string({
    description:
      'a checkpoint folder for the page to open (config.json, model.safetensors, tokenizer.json)',
    placeholder: 'DIR',
  }),
  host: flag.string({ description: 'address to listen on', default: '127.0.0.1' }),
  port: flag.number({
    description: 'port (0 picks a free one)',
    integer: true,
    min: 0,
    max: 65535,
    default: 8788,
  }),
};

const help = formatHelp({
  usage: 'lmkit-studio [--checkpoint DIR] [--host HOST] [--port N]',
  description:
    'Chat with a checkpoint and fine-tune it in a browser tab on WebGPU, then download the result as a checkpoint folder that `pnpm chat` serves. Needs a browser with WebGPU (Chrome/Edge 113+).',
  groups: [{ flags }],
});

await runCli({
  name: 'lmkit-studio',
  async main() {
    const { values } = parseFlags(flags, process.argv.slice(2));
    if (values.help) return void console.log(help);
    if (values.version) return void console.log(programVersion('lmkit-studio', import.meta.url));
    const studio = await startStudio({
      checkpoint: values.checkpoint,
      host: values.host,
      port: values.port,
    });
    console.log(
      `lmkit studio at ${studio.url}${values.checkpoint ? ` (checkpoint ${values.checkpoint})` : ''}`,
    );
    const stop = () => void studio.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
});
