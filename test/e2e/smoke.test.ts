import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/smoke.ts', import.meta.url));

describe('the post-deployment smoke test, run against the local stack', () => {
  it('passes every check, as `npm run smoke -- <app> --dev-login` runs it', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, inject('stack').appUrl, '--dev-login'],
      { env: { ...process.env, SMOKE_AUTH_COOKIE: '', SMOKE_AUTH_TOKEN: '' }, timeout: 60_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    for (const check of [
      'negotiate as the signed-in user: 200',
      'connect with @azure/web-pubsub-client',
      'a clean line is delivered to the room: accepted and delivered',
      'a profane line is refused: refused (rule profanity)',
      'a forged x-ms-client-principal with the moderator role is refused: 401',
      'an unsigned upstream event is refused: 401',
      // A signed-in user without the role: both functions loaded and answering (404 if the host had refused one).
      '/api/moderate/bans answers GET and POST: GET 403, POST 403',
    ]) {
      expect(lines.some((line) => line.startsWith(`ok   ${check}`))).toBe(true);
    }
    expect(lines.at(-1)).toBe(`${lines.length - 1} passed, 0 failed`);
  }, 60_000);
});
