import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { describe, expect, it } from 'vitest';
import { descendantsOf, survivorsAfter } from '../unit/local/fixtures/process-tree.js';

describe('npm start (local/start.ts)', () => {
  it('runs the wired stack, prints its URLs, and leaves no process behind on SIGINT', { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--free-ports'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output: string[] = [];
    const lines = createInterface({ input: child.stdout });
    const printed = new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        output.push(line);
        if (line.startsWith('Press Ctrl-C')) resolve();
      });
      child.once('exit', () => reject(new Error(`start.ts exited early:\n${output.join('\n')}`)));
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));

    try {
      await printed;
      const url = (label: string) =>
        output.find((line) => line.trimStart().startsWith(label))?.split(/\s{2,}/)[2] ?? '';
      const chatPage = url('Chat page');
      const signInAlice = url('Sign in as alice');
      expect(chatPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(url('Moderator page')).toBe(`${chatPage}moderator`);
      expect(url('Sign in as moderator')).toContain('roles=moderator');
      expect(url('Web PubSub emulator')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(output.some((line) => line.includes('Emulator connection') && line.includes('AccessKey='))).toBe(true);
      expect(output.some((line) => line.includes('Azurite (Table)') && line.includes('TableEndpoint='))).toBe(true);
      expect(url('Managed identity')).toMatch(/\/msi\/token$/);

      // The wiring end to end: Easy Auth → negotiate (app → emulator over https with a managed identity token)
      // → WebSocket connect (emulator → app's connect event with its own managed identity token).
      const signIn = await fetch(signInAlice, { redirect: 'manual' });
      const cookie = signIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const negotiate = await fetch(`${chatPage}api/negotiate`, { headers: { cookie } });
      expect(negotiate.status).toBe(200);
      const { url: clientUrl, userId } = (await negotiate.json()) as { url: string; userId: string };
      expect(userId).toBe('alice');
      const client = new WebPubSubClient(clientUrl, { autoReconnect: false });
      const connected = new Promise<string | undefined>((resolve) => client.on('connected', (e) => resolve(e.userId)));
      await client.start();
      expect(await connected).toBe('alice');
      client.stop();

      const processes = descendantsOf(child.pid ?? -1);
      expect(processes.length).toBeGreaterThanOrEqual(2);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await survivorsAfter(processes, 1000)).toEqual([]);
    } finally {
      // Even SIGKILL leaves nothing behind: the children exit when their IPC channel to start.ts closes.
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
