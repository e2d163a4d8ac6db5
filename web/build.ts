import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webDir = dirname(fileURLToPath(import.meta.url));

/** Bundles the page scripts (and the Web PubSub client they use) into `web/public/assets/`. */
export async function buildWeb(): Promise<void> {
  const outdir = resolve(webDir, 'public/assets');
  // Chunk names carry content hashes: start empty so old chunks do not pile up.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { chat: resolve(webDir, 'src/chat.ts'), moderator: resolve(webDir, 'src/moderator.ts') },
    outdir,
    bundle: true,
    // Both pages share the Web PubSub client: one cached chunk instead of two copies.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb();
}
