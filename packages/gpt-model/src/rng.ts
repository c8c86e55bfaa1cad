// The seeded generator now lives in @lmkit/core (same xoshiro128** / SplitMix32 sequence).

import { SeededRandom } from '@lmkit/core';

/** @deprecated Use `SeededRandom` from @lmkit/core: the same generator under its shared name. */
export const Rng = SeededRandom;
/** @deprecated Use `SeededRandom` from @lmkit/core. */
export type Rng = SeededRandom;
