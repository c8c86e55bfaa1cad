// A child process for the kill-and-resume test: pre-trains the tiny model on given shards.
// argv: outDir trainShard valShard [--resume] [--hang-at-step N]
// With --hang-at-step it prints "hanging" after that step and blocks, so the parent can SIGKILL
// it at a known point (after a checkpoint, before the end of the run).
import { pretrain } from '../loop/pretrain.ts';
import { useTestBackend } from './backend.ts';
import { TinyModel } from './tiny-model.ts';

await useTestBackend();

const [outDir, train, val, ...flags] = process.argv.slice(2);
const hangAt = flags.includes('--hang-at-step') ? Number(flags[flags.indexOf('--hang-at-step') + 1]) : undefined;
const model = new TinyModel({ vocabSize: 16, dropout: 0.1 }, 3);
const result = await pretrain({
  model,
  trainFiles: [train],
  valFiles: [val],
  outDir,
  resume: flags.includes('--resume'),
  config: { batchSize: 4, sequenceLength: 8, maxSteps: 10, checkpointEvery: 4, evalEvery: 5, evalBatches: 2, schedule: { warmupSteps: 2, maxLearningRate: 0.01 } },
  log: (line) => console.log(line),
  onMetrics: (record) => {
    if (record.type === 'train' && record.step === hangAt) {
      console.log('hanging');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
  },
});
console.log(`done ${result.steps}`);
