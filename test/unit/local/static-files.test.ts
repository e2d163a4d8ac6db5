import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticFile } from '../../../local/host/static-files.js';

describe('readStaticFile', () => {
  let base: string;
  let webRoot: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'web-root-'));
    webRoot = join(base, 'public');
    await mkdir(join(webRoot, 'js'), { recursive: true });
    await writeFile(join(webRoot, 'index.html'), '<h1>chat</h1>');
    await writeFile(join(webRoot, 'moderator.html'), '<h1>moderator</h1>');
    await writeFile(join(webRoot, 'js', 'chat.js'), 'export {};');
    await writeFile(join(base, 'secret.txt'), 'outside');
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('maps / to index.html and extensionless paths to .html pages', async () => {
    expect(String((await readStaticFile(webRoot, '/'))?.body)).toBe('<h1>chat</h1>');
    const moderator = await readStaticFile(webRoot, '/moderator');
    expect(moderator).toMatchObject({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
    });
    expect(String(moderator?.body)).toBe('<h1>moderator</h1>');
  });

  it('serves other files with their content type', async () => {
    const script = await readStaticFile(webRoot, '/js/chat.js');
    expect(script?.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('never leaves the web root', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/js/%2e%2e/%2e%2e/secret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      expect(await readStaticFile(webRoot, path)).toBeUndefined();
    }
  });

  it('answers nothing for missing files and directories', async () => {
    expect(await readStaticFile(webRoot, '/missing.css')).toBeUndefined();
    expect(await readStaticFile(webRoot, '/js')).toBeUndefined();
  });
});
