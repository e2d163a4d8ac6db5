/**
 * Child-process entry of the local Functions host. Env: `LOCAL_FUNCTIONS_PORT` (default 0), `LOCAL_FUNCTIONS_HOST`
 * (default 127.0.0.1), `LOCAL_FUNCTIONS_MODULE` (default `functions/index.ts`, which exports `functionDefinitions`),
 * `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` (bytes, as on Azure; default 100 MiB).
 * Tells the parent `{ type: 'ready', url }` or `{ type: 'failed', message }` over IPC.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionDefinition } from './routes.js';
import { startFunctionsHost } from './server.js';

export type HostMessage = { type: 'ready'; url: string } | { type: 'failed'; message: string };
/** Local-only, for soak tests: `{ type: 'measure-memory' }` from the parent is answered with the heap after a GC. */
export type HostMemoryReport = { type: 'memory'; usage: NodeJS.MemoryUsage };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function report(message: HostMessage): void {
  if (process.send) process.send(message);
  else
    process.stdout.write(
      `${message.type === 'ready' ? `Functions host listening on ${message.url}` : message.message}\n`,
    );
}

async function readRoutePrefix(): Promise<string> {
  const hostJson = await readFile(resolve(repoRoot, 'host.json'), 'utf8').catch(() => undefined);
  if (hostJson === undefined) return 'api';
  const prefix = (JSON.parse(hostJson) as { extensions?: { http?: { routePrefix?: unknown } } }).extensions?.http
    ?.routePrefix;
  return typeof prefix === 'string' ? prefix : 'api';
}

async function main(): Promise<void> {
  // The platform's authentication runs in front of the app; this host emulates it, and the app may check this setting.
  process.env.WEBSITE_AUTH_ENABLED = 'True';
  const modulePath = resolve(repoRoot, process.env.LOCAL_FUNCTIONS_MODULE ?? 'functions/index.ts');
  const { functionDefinitions } = (await import(pathToFileURL(modulePath).href)) as {
    functionDefinitions?: readonly FunctionDefinition[];
  };
  if (!Array.isArray(functionDefinitions)) throw new Error(`${modulePath} does not export functionDefinitions.`);
  const host = await startFunctionsHost({
    host: process.env.LOCAL_FUNCTIONS_HOST ?? '127.0.0.1',
    port: Number(process.env.LOCAL_FUNCTIONS_PORT ?? 0),
    definitions: functionDefinitions,
    routePrefix: await readRoutePrefix(),
    ...(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT
      ? { maxRequestBodyBytes: Number(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) }
      : {}),
  });
  const stop = () => {
    host.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent going away closes the IPC channel: do not outlive it.
  process.once('disconnect', stop);
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'measure-memory' || !process.send) return;
    globalThis.gc?.();
    process.send({ type: 'memory', usage: process.memoryUsage() } satisfies HostMemoryReport);
  });
  report({ type: 'ready', url: host.url });
}

main().catch((error: unknown) => {
  report({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
