import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export type LogLine = (line: string) => void;

/** Asks the OS for a free port; another process could take it before the caller binds it, which is rare locally. */
export async function findFreePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('Could not read the port of a probe listener.');
  return address.port;
}

/** Polls until something accepts TCP connections on host:port, failing early if `child` exits first. */
export async function waitForTcp(host: string, port: number, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The process exited (${child.exitCode ?? child.signalCode}) before listening on ${host}:${port}.`,
      );
    }
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await sleep(50);
  }
  throw new Error(`Nothing listened on ${host}:${port} within ${timeoutMs} ms.`);
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL, as the OS kills a process that crashed or ran out of memory; resolves once it has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Sends each line of a child's output to `log` with a prefix naming the child. */
export function forwardLines(stream: Readable | null, prefix: string, log: LogLine): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => log(`${prefix} ${line}`));
}
