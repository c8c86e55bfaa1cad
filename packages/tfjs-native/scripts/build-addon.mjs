// Install-time build of the native addon with node-gyp. It never fails the install: when the
// build cannot run (no OpenBLAS, no compiler, no Node headers) it prints one line and exits 0,
// and the package falls back to TensorFlow.js's stock kernels. `--strict` exits 1 instead.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const hint =
  'install OpenBLAS and a C compiler (Debian/Ubuntu: apt-get install -y libopenblas-dev build-essential) then run `pnpm rebuild @lmkit/tfjs-native`';

function finish(ok, message) {
  const line = `@lmkit/tfjs-native: ${message}`;
  if (ok) console.log(line);
  else console.warn(line);
  process.exit(ok || !strict ? 0 : 1);
}

/** Node's own headers ship next to the binary (<prefix>/include/node) in Debian and official builds. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** node-gyp: the package manager's (npm and pnpm both bundle one) or a resolvable copy. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const prefix = resolve(dirname(process.execPath), '..');
  for (const manager of ['npm/node_modules', 'pnpm/dist/node_modules']) {
    candidates.push(join(prefix, 'lib', 'node_modules', manager, 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((path) => path && existsSync(path));
}

function explain(log) {
  const errors = log
    .split('\n')
    .filter((line) => /error|ERR!|not found|cannot find/i.test(line))
    .join('\n');
  if (errors === '') return 'node-gyp build failed';
  log = errors;
  if (/cannot find -lopenblas|openblas.*not found/i.test(log)) return 'OpenBLAS not found';
  if (/node_api\.h|common\.gypi|gyp.*(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|download)/i.test(log)) {
    return 'Node headers not available';
  }
  if (/(gcc|cc|make|g\+\+).*(not found|ENOENT)/i.test(log)) return 'no C compiler/make found';
  return 'node-gyp build failed';
}

if (process.env.LMKIT_TFJS_NATIVE_SKIP_BUILD === '1') {
  finish(true, 'native build skipped (LMKIT_TFJS_NATIVE_SKIP_BUILD=1); stock kernels will be used');
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, `native kernels not built (node-gyp not found); ${hint}`);
const nodeDir = findNodeDir();
// Build in a staging directory and move the finished addon into place with one rename: processes
// that load the addon while a rebuild runs keep finding the previous build instead of none.
const buildDir = join(packageRoot, 'build');
const staging = join(buildDir, `.staging-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
cpSync(join(packageRoot, 'binding.gyp'), join(staging, 'binding.gyp'));
cpSync(join(packageRoot, 'native'), join(staging, 'native'), { recursive: true });
const args = [nodeGyp, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
const result = spawnSync(process.execPath, args, { cwd: staging, encoding: 'utf8' });
const log = `exit status ${result.status} ${result.signal ?? ''} ${result.error ?? ''}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`;
writeFileSync(join(buildDir, 'build-addon.log'), log);
const built = join(staging, 'build', 'Release', 'lmkit_tfjs_native.node');
const ok = result.status === 0 && existsSync(built);
if (ok) {
  mkdirSync(join(buildDir, 'Release'), { recursive: true });
  renameSync(built, join(buildDir, 'Release', 'lmkit_tfjs_native.node'));
}
rmSync(staging, { recursive: true, force: true });
// A failed build must not leave an older addon behind for sources it no longer matches.
if (!ok) rmSync(join(buildDir, 'Release', 'lmkit_tfjs_native.node'), { force: true });
if (ok) finish(true, 'native kernels built (OpenBLAS)');
finish(
  false,
  `native kernels not built (${explain(log)}; log: build/build-addon.log); TensorFlow.js stock kernels will be used. To get the fast path: ${hint}`,
);
