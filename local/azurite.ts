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
/** Azurite's well-known development account; public, and accepted by nothing but emulators. */
const devAccountName = 'devstoreaccount1';
const devAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's Table service as a child process, in memory, ready once it accepts connections. */
export async function startAzuriteTable(options: AzuriteTableOptions = {}): Promise<RunningAzuriteTable> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const port = options.port || (await findFreePort(host));
  const child = spawn(
    resolve(repoRoot, 'node_modules/.bin/azurite-table'),
    [
      '--tableHost',
      host,
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--silent',
      '--skipApiVersionCheck',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Azurite does not notice its parent going away; take it down with this process however it exits normally.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
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
