// Bundles the studio page (src/page/main.ts and the lmkit packages it imports, from their TypeScript
// sources) for the browser with esbuild, in memory, when the server starts: nothing generated is
// committed. The packages' Node-only paths (file I/O, the Node WebGPU set-up) are never taken in a
// tab; their `node:` imports are bundled as stubs that throw if called, so a wrong path fails loudly.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const nodeBuiltinStubs: Plugin = {
  name: 'node-builtin-stubs',
  setup(builder) {
    // `buffer` is left to the npm package of that name (see page/buffer-global.ts).
    const stubbed = builtinModules.filter((name) => name !== 'buffer');
    const builtins = new RegExp(`^(node:.*|${stubbed.join('|').replace(/\//g, '\\/')})$`);
    builder.onResolve({ filter: builtins }, (args) => ({
      path: args.path.startsWith('node:') ? args.path : `node:${args.path}`,
      namespace: 'node-stub',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
      // The real module's export names (the bundler runs in Node), each a throwing stub.
      const names = Object.keys(await import(args.path)).filter(
        (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
      );
      const browserValue: Record<string, string> = {
        totalmem: '() => 4 * 2 ** 30',
        createRequire: '() => Object.assign(notInBrowser, { resolve: notInBrowser })',
      };
      return {
        contents: [
          `const notInBrowser = () => { throw new Error('${args.path} is not available in a browser'); };`,
          ...names.map((name) => `export const ${name} = ${browserValue[name] ?? 'notInBrowser'};`),
          'export default {};',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/** One ES module for the browser from `entry` (a .ts file), with its imports bundled in. */
export async function bundleForBrowser(entry: string | URL): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [typeof entry === 'string' ? entry : fileURLToPath(entry)],
    bundle: true,
    format: 'esm',
    // 'neutral', not 'browser': packages then resolve to the same (Node) entry points as in tests, whose
    // built-in imports are stubbed below, instead of browser builds that lack some named exports.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'chrome120',
    write: false,
    conditions: ['source'],
    logLevel: 'silent',
    // Native addons (a PNG renderer's, the OpenBLAS kernels) are never loaded in a tab.
    loader: { '.node': 'empty' },
    inject: [fileURLToPath(new URL('./page/buffer-global.ts', import.meta.url))],
    plugins: [nodeBuiltinStubs],
  });
  return result.outputFiles[0].contents;
}
