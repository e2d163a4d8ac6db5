// Builds what `func azure functionapp publish` uploads. Two bundles: `index.cjs` holds the registrations and
// `@azure/functions` only, so a cold start reads and evaluates little; `runtime.cjs` (every endpoint, the SDKs, the
// policy) is loaded on the first call. `@azure/functions-core` is the worker's own module.
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  external: ['@azure/functions-core'],
  metafile: true,
  logLevel: 'warning',
};
/** Leaves `src/runtime.ts` out of the registrations bundle: it is required from the file beside it at run time. */
const runtimeAsSibling = {
  name: 'runtime-as-sibling',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/runtime\.js$/ }, () => ({ path: './runtime.cjs', external: true }));
  },
};

await rm('dist', { recursive: true, force: true });
const results = await Promise.all([
  build({ ...common, entryPoints: ['functions/index.ts'], outfile: 'dist/index.cjs', plugins: [runtimeAsSibling] }),
  build({ ...common, entryPoints: ['src/runtime.ts'], outfile: 'dist/runtime.cjs' }),
]);
// dist/ is also a complete Functions project on its own (what `azd` deploys): every dependency is in the bundles.
const manifest = JSON.parse(await readFile('package.json', 'utf8'));
await writeFile(
  'dist/package.json',
  `${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, main: 'index.cjs', engines: { node: '>=20.19' } }, null, 2)}\n`,
);
await copyFile('host.json', 'dist/host.json');
for (const result of results) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.cjs')) console.log(`${file}: ${(output.bytes / 1024).toFixed(0)} KiB`);
  }
}
