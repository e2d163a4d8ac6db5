import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../local/processes.js';

/** What a benchmark child reports over IPC once it is listening. */
export type ReadyMessage<T> = { type: 'ready' } & T;

export interface BenchChild<T> {
  ready: ReadyMessage<T>;
  child: ChildProcess;
  close(): Promise<void>;
}

export interface BenchChildOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/**
 * Runs a TypeScript entry under `bench/support/` in its own process (its own core and event loop, so the load
 * generator does not share a loop with the server it measures) and waits for its `ready` message.
 */
export async function startBenchChild<T>(entry: string, options: BenchChildOptions = {}): Promise<BenchChild<T>> {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), options.args ?? [], {
    execArgv: ['--import', 'tsx'],
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<ReadyMessage<T>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${entry} did not report readiness.`)),
        options.readyTimeoutMs ?? 20_000,
      );
      child.once('message', (message: ReadyMessage<T>) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited (${code ?? signal}) before it was ready.`));
      });
    });
    return { ready, child, close: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** For the child side: report readiness, and exit when the parent goes away or asks. */
export function reportReady<T extends object>(payload: T, close: () => Promise<void> | void): void {
  const stop = () => {
    Promise.resolve(close()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', ...payload });
}
