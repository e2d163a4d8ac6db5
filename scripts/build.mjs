// Builds what `func azure functionapp publish` uploads: one bundled CommonJS entry with every function, so cold
// start reads one file instead of resolving hundreds of modules. `@azure/functions-core` is the worker's own module.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { index: 'functions/index.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
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
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.cjs'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`dist/index.cjs: ${(bytes / 1024).toFixed(0)} KiB`);
