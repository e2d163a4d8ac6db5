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
// Core Tools takes the worker runtime from a language flag, FUNCTIONS_WORKER_RUNTIME or local.settings.json (see
// docs/deploy.md), so after a build a plain `func azure functionapp publish` finds it, here and in dist/. The file
// never leaves this machine (Core Tools and .funcignore leave it out of the package); a developer's own is kept.
const workerRuntimeOnly = `${JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node' } }, null, 2)}\n`;
await writeFile('dist/local.settings.json', workerRuntimeOnly);
// What Core Tools (and azd, which honours .funcignore and always leaves local.settings.json out) uploads from dist/:
// the same files as from the root, without the source maps.
await writeFile('dist/.funcignore', '*.map\n');
await writeFile('local.settings.json', workerRuntimeOnly, { flag: 'wx' }).catch((error) => {
  if (error.code !== 'EEXIST') throw error;
});
for (const result of results) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.cjs')) console.log(`${file}: ${(output.bytes / 1024).toFixed(0)} KiB`);
  }
}
