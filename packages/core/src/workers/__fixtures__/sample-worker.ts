// A worker module for the pool's tests: TypeScript syntax (types, a relative .ts import) so it only
// loads when tsx is registered in the worker; per-worker state built once from workerData.
import { threadId } from 'node:worker_threads';
import { SeededRandom } from '../../random.ts';

interface Data {
  seed: number;
}

let random: SeededRandom | undefined;
let calls = 0;

export function square(input: { value: number }, data: Data): { value: number; seed: number } {
  calls++;
  return { value: input.value * input.value, seed: data.seed };
}

export function draw(input: { count: number }, data: Data): number[] {
  random = new SeededRandom(data.seed);
  return Array.from({ length: input.count }, () => random!.nextUint32());
}

export function sum(input: { values: Float64Array }): number {
  return input.values.reduce((a, b) => a + b, 0);
}

export function whoAmI(): { threadId: number; calls: number } {
  return { threadId, calls };
}

export function fail(input: { message: string }): never {
  throw new Error(input.message);
}
