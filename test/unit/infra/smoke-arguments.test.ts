import { describe, expect, it } from 'vitest';
import { parseSmokeArguments } from '../../../scripts/smoke.js';

describe('npm run smoke -- <app>: arguments', () => {
  const app = 'https://func-abc.azurewebsites.net';

  it('takes the app URL and exactly one way to sign in, the credentials from the environment only', () => {
    expect(parseSmokeArguments([app], { SMOKE_AUTH_COOKIE: 'AppServiceAuthSession=x' })).toEqual({
      appUrl: app,
      auth: { kind: 'cookie', cookie: 'AppServiceAuthSession=x' },
    });
    expect(parseSmokeArguments([app], { SMOKE_AUTH_TOKEN: 'eyJ' }).auth).toEqual({ kind: 'token', token: 'eyJ' });
    expect(parseSmokeArguments(['http://127.0.0.1:7071', '--dev-login'], {}).auth).toEqual({ kind: 'devLogin' });
  });

  it('refuses no sign-in, two at once, a bad URL and unknown options, saying how to call it', () => {
    expect(() => parseSmokeArguments([app], {})).toThrow(/sign in one way/);
    expect(() => parseSmokeArguments([app, '--dev-login'], { SMOKE_AUTH_TOKEN: 't' })).toThrow(/sign in one way/);
    expect(() => parseSmokeArguments(['ftp://x', '--dev-login'], {})).toThrow(/usage: npm run smoke/);
    expect(() => parseSmokeArguments([app, '--cookie=x'], {})).toThrow(/unknown option --cookie=x/);
  });
});
