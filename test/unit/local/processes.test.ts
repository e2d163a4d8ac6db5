import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePort, stopChild, waitForTcp } from '../../../local/processes.js';

const node = (script: string) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' });

describe('stopChild', () => {
  it('ends a well-behaved child with SIGTERM', async () => {
    const child = node('setInterval(() => {}, 1000)');
    await stopChild(child, 5000);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('falls back to SIGKILL when the child ignores SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await stopChild(child, 200);
    expect(child.signalCode).toBe('SIGKILL');
  });
});

describe('waitForTcp', () => {
  it('resolves once the port accepts connections', async () => {
    const port = await findFreePort('127.0.0.1');
    const child = node('setInterval(() => {}, 1000)');
    const server = createServer();
    setTimeout(() => server.listen(port, '127.0.0.1'), 150);
    const started = performance.now();
    try {
      await waitForTcp('127.0.0.1', port, child, 5000);
      // Not before the server listened, and while it was listening.
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect(server.listening).toBe(true);
    } finally {
      server.close();
      await stopChild(child);
    }
  });

  it('fails fast when the child exits before listening', async () => {
    const port = await findFreePort('127.0.0.1');
    const child = node('process.exit(3)');
    await expect(waitForTcp('127.0.0.1', port, child, 10_000)).rejects.toThrow(/exited \(3\)/);
  });
});
