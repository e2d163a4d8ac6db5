import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forwardLines, killChild, type LogLine, stopChild } from '../processes.js';
import type { HostMemoryReport, HostMessage } from './main.js';

export interface FunctionsHostProcessOptions {
  port?: number;
  /** The whole environment of the child (the app's settings included). */
  env: NodeJS.ProcessEnv;
  log?: LogLine;
  readyTimeoutMs?: number;
}

export interface FunctionsHostProcess {
  url: string;
  /** The host's process id, for benchmarks that measure its CPU time. */
  pid: number;
  /** The app's memory after a full GC, for soak tests. */
  memoryUsage(): Promise<NodeJS.MemoryUsage>;
  /** SIGKILL, no grace: a crashed instance. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `local/host/main.ts` in a child process, so the app gets its own environment (managed identity settings are
 * read once per process) and its own `NODE_EXTRA_CA_CERTS`, as it would on the platform.
 */
export async function startFunctionsHostProcess(options: FunctionsHostProcessOptions): Promise<FunctionsHostProcess> {
  const log = options.log ?? (() => {});
  const child = fork(fileURLToPath(new URL('./main.ts', import.meta.url)), [], {
    execArgv: [
      '--require',
      fileURLToPath(new URL('../functions-core-shim.cjs', import.meta.url)),
      '--import',
      'tsx',
      // So memoryUsage() measures live objects, not garbage not yet collected.
      '--expose-gc',
    ],
    env: { ...options.env, LOCAL_FUNCTIONS_PORT: String(options.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  forwardLines(child.stdout, '[functions]', log);
  forwardLines(child.stderr, '[functions]', log);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('The Functions host did not report readiness in time.')),
        options.readyTimeoutMs ?? 30_000,
      );
      child.once('message', (message: HostMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.url);
        else reject(new Error(`The Functions host failed to start: ${message.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The Functions host exited (${code ?? signal}) before it was ready.`));
      });
    });
    const memoryUsage = () =>
      new Promise<NodeJS.MemoryUsage>((resolve) => {
        const onMessage = (message: HostMemoryReport) => {
          if (message.type !== 'memory') return;
          child.off('message', onMessage);
          resolve(message.usage);
        };
        child.on('message', onMessage);
        child.send({ type: 'measure-memory' });
      });
    return {
      url,
      pid: child.pid as number,
      memoryUsage,
      kill: () => killChild(child),
      close: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
