// Public API of @lmkit/gpt-model.
export { flopsPerToken, type GPTConfig, parameterCount, presets } from './config.ts';
