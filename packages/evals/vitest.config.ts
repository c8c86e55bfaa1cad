import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'evals', testTimeoutMs: 60_000 });
