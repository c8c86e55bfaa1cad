import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'app-speedrun' });
