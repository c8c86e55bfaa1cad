// An error class as other lmkit packages declare theirs (extending @lmkit/core's LmkitError).
import { LmkitError } from '@lmkit/core';

export class TrainerLikeError extends LmkitError {}
