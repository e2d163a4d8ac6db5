import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { afterAll, expect, it } from 'vitest';

const directory = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

it('starts from a config file, prints the connection string, serves, and stops on SIGTERM', async () => {
  const config = join(directory, 'config.json');
  await writeFile(config, JSON.stringify({ accessKeys: ['primary-key', 'secondary-key'], hubs: { Chat: {} } }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const connectionString = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Connection string: (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  expect(connectionString).toMatch(/^Endpoint=http:\/\/127\.0\.0\.1;Port=\d+;AccessKey=primary-key;Version=1\.0;$/);
  const service = new WebPubSubServiceClient(connectionString, 'chat', { allowInsecureConnection: true });
  expect(await service.groupExists('none')).toBe(false);
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
});
