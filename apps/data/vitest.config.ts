import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'app-data', testTimeoutMs: 60_000 });
