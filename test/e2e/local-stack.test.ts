import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { afterEach, describe, expect, it } from 'vitest';
import { descendantsOf, survivorsAfter } from '../unit/local/fixtures/process-tree.js';

/** Fails with `label` and what start.ts printed so far instead of hanging until the test timeout. */
function within<T>(ms: number, label: string, output: readonly string[], promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) =>
      setTimeout(
        () => reject(new Error(`${label} took over ${ms} ms. start.ts output:\n${output.join('\n')}`)),
        ms,
      ).unref(),
    ),
  ]);
}

describe('npm start (local/start.ts)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // Even SIGKILL leaves nothing behind: the stack's children exit when their IPC channel to start.ts closes.
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('runs the wired stack, prints its URLs, and leaves no process behind on SIGINT', { timeout: 60_000 }, async () => {
    const started = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--free-ports'], {
      // The IPC channel ties start.ts to this worker: it stops the stack if the worker dies.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child = started;
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    const output: string[] = [];
    started.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const printed = new Promise<void>((resolve, reject) => {
      createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        output.push(line);
        if (line.startsWith('Press Ctrl-C')) resolve();
      });
      started.once('exit', () => reject(new Error(`start.ts exited early:\n${output.join('\n')}`)));
    });

    await within(40_000, 'Starting the stack', output, printed);
    const url = (label: string) => output.find((line) => line.trimStart().startsWith(label))?.split(/\s{2,}/)[2] ?? '';
    const chatPage = url('Chat page');
    expect(chatPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url('Moderator page')).toBe(`${chatPage}moderator`);
    expect(url('Sign in as moderator')).toContain('roles=moderator');
    expect(url('Web PubSub emulator')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output.some((line) => line.includes('Emulator connection') && line.includes('AccessKey='))).toBe(true);
    expect(output.some((line) => line.includes('Azurite (Table)') && line.includes('TableEndpoint='))).toBe(true);
    expect(url('Managed identity')).toMatch(/\/msi\/token$/);

    // The wiring end to end: Easy Auth → negotiate (app → emulator over https with the app's managed identity token)
    // → WebSocket connect (emulator → the app's connect event with the service's own managed identity token).
    const signIn = await fetch(url('Sign in as alice'), { redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const negotiate = await fetch(`${chatPage}api/negotiate`, { headers: { cookie } });
    expect(negotiate.status).toBe(200);
    const { url: clientUrl, userId } = (await negotiate.json()) as { url: string; userId: string };
    expect(userId).toBe('alice');
    const client = new WebPubSubClient(clientUrl, { autoReconnect: false });
    const connected = new Promise<string | undefined>((resolve) => client.on('connected', (e) => resolve(e.userId)));
    try {
      await within(10_000, 'Connecting a WebPubSubClient', output, client.start());
      expect(await connected).toBe('alice');
    } finally {
      client.stop();
    }

    const processes = descendantsOf(started.pid ?? -1);
    expect(processes.map(({ command }) => command)).toEqual(
      expect.arrayContaining([expect.stringContaining('azurite'), expect.stringContaining('local/host/main.ts')]),
    );
    started.kill('SIGINT');
    expect(await within(10_000, 'Stopping on SIGINT', output, exited)).toBe(0);
    // esbuild services (tsx) leave when their parent's pipe closes, which can take a moment on a busy machine.
    expect(await survivorsAfter(processes, 5000)).toEqual([]);
  });
});

describe('npm start with invalid settings', () => {
  it('lists every problem and exits 1, without a stack trace', { timeout: 60_000 }, async () => {
    const started = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--free-ports'], {
      env: { ...process.env, MODERATION_BAN_MINUTES: 'soon', RULES_CACHE_SECONDS: '-1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => started.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('The local stack failed to start: Invalid settings:');
    expect(stderr).toMatch(/- MODERATION_BAN_MINUTES: /);
    expect(stderr).toMatch(/- RULES_CACHE_SECONDS: /);
    // A stack frame reads "    at fn (file:line:col)".
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
