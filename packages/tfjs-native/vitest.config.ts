import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'tfjs-native', testTimeoutMs: 60_000 });
