import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, forwardLines, type LogLine, stopChild, waitForTcp } from './processes.js';

export interface AzuriteTableOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  log?: LogLine;
}

export interface RunningAzuriteTable {
  tableEndpoint: string;
  connectionString: string;
  close(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Preloaded into Azurite, which never notices its parent going away: the IPC channel closes when the parent dies,
 * even by SIGKILL, and Azurite exits with it. The channel is unref'd so it does not keep Azurite alive by itself.
 */
const exitWithParent = `data:text/javascript,${encodeURIComponent(
  "process.channel?.unref(); process.on('disconnect', () => process.exit(0));",
)}`;
/** Azurite's well-known development account; public, and accepted by nothing but emulators. */
const devAccountName = 'devstoreaccount1';
const devAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's Table service as a child process, in memory, ready once it accepts connections. */
export async function startAzuriteTable(options: AzuriteTableOptions = {}): Promise<RunningAzuriteTable> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const port = options.port || (await findFreePort(host));
  const child = spawn(
    process.execPath,
    [
      '--import',
      exitWithParent,
      resolve(repoRoot, 'node_modules/azurite/dist/src/table/main.js'),
      '--tableHost',
      host,
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--silent',
      '--skipApiVersionCheck',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  forwardLines(child.stdout, '[azurite]', log);
  forwardLines(child.stderr, '[azurite]', log);
  try {
    await waitForTcp(host, port, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const tableEndpoint = `http://${host}:${port}/${devAccountName}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${tableEndpoint};`,
    close: () => stopChild(child),
  };
}
