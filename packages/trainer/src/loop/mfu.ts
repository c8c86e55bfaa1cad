// Model FLOPs utilisation: achieved training FLOP/s over a peak, from gpt-model's FLOPs per token.
import { flopsPerToken, type GPTConfig } from '@lmkit/gpt-model';

/** MFU as a fraction: tokens/s × FLOPs per token ÷ peak FLOP/s. */
export function modelFlopsUtilization(options: {
  config: GPTConfig;
  sequenceLength: number;
  tokensPerSecond: number;
  peakFlopsPerSecond: number;
}): number {
  const perToken = flopsPerToken(options.config, options.sequenceLength);
  return (options.tokensPerSecond * perToken) / options.peakFlopsPerSecond;
}
