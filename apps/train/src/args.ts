// The flags of lmkit-train, declared once: the run-config fields (run-config.ts's schema) and the
// training fields (@lmkit/trainer's schema) become flags with the same limits, and the table
// `flagOfField` maps each config path back to its flag so errors name what the user typed.
import { type FlagSpec, flag, kebabCase } from '@lmkit/cli-kit';
import { scheduleInputSchema, trainingConfigSchema } from '@lmkit/trainer';

/** Training-config fields and their flags (kebab-case of the field, except the schedule's). */
const trainingFieldFlags = Object.fromEntries(
  Object.keys(trainingConfigSchema.shape)
    .filter((field) => field !== 'schedule')
    .map((field) => [field, kebabCase(field)]),
) as Record<string, string>;

const scheduleFieldFlags: Record<string, string> = {
  kind: 'schedule',
  maxLearningRate: 'lr',
  minLearningRate: 'min-lr',
  warmupSteps: 'warmup-steps',
  decaySteps: 'decay-steps',
  totalSteps: 'total-steps',
};

/** `maxSteps` → `max-steps`, `schedule.minLearningRate` → `min-lr`. */
export const flagOfField: Record<string, string> = {
  ...Object.fromEntries(Object.entries(trainingFieldFlags)),
  ...Object.fromEntries(
    Object.entries(scheduleFieldFlags).map(([field, name]) => [`schedule.${field}`, name]),
  ),
};

const fromSchema = (shape: Record<string, unknown>, names: Record<string, string>): FlagSpec =>
  Object.fromEntries(
    Object.entries(names).map(([field, name]) => [
      name,
      flag.zod(shape[field] as never, {
        placeholder: field === 'kind' ? 'KIND' : undefined,
      }),
    ]),
  );

/** Every training flag (budget, batch, optimizer, schedule, evaluation, checkpoints). */
export const trainingFlags: FlagSpec = {
  ...fromSchema(trainingConfigSchema.shape, trainingFieldFlags),
  ...fromSchema(scheduleInputSchema.shape, scheduleFieldFlags),
};

export const backendFlags = {
  backend: flag.string({
    description: 'TensorFlow.js backend (default auto)',
    choices: ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const,
    placeholder: 'NAME',
  }),
  native: flag.boolean({
    description:
      "@lmkit/tfjs-native's kernels: --native requires them, --no-native turns them off (default: used when built)",
    negatable: true,
  }),
};
