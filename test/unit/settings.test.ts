import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/settings.js';
import { settingsProblems } from './support/factories.js';

const valid = {
  WEBPUBSUB_ENDPOINT: 'https://chat.webpubsub.azure.com/',
  TABLES_ENDPOINT: 'https://acct.table.core.windows.net',
  UPSTREAM_TOKEN_ISSUER: 'https://sts.windows.net/tenant/',
  UPSTREAM_TOKEN_JWKS_URI: 'https://login.microsoftonline.com/tenant/discovery/v2.0/keys',
  UPSTREAM_TOKEN_AUDIENCE: 'api://moderator',
  UPSTREAM_PRINCIPAL_ID: '00000000-0000-0000-0000-000000000001',
};

describe('loadSettings', () => {
  it('reads a managed-identity configuration with defaults', () => {
    const settings = loadSettings(valid);
    expect(settings.webPubSub).toEqual({
      endpoint: 'https://chat.webpubsub.azure.com',
      hub: 'chat',
      clientEndpoint: undefined,
    });
    expect(settings.upstream.allowedOrigins).toEqual(['chat.webpubsub.azure.com']);
    expect(settings.upstream.token?.principalId).toBe(valid.UPSTREAM_PRINCIPAL_ID);
    expect(settings.tables).toEqual({ endpoint: 'https://acct.table.core.windows.net', connectionString: undefined });
    expect(settings.allowAnonymous).toBe(false);
    expect(settings.platformAuthEnabled).toBe(false);
    expect(settings.moderation.maxLength).toBe(500);
  });

  it('maps moderation settings onto the policy, with lists from comma-separated values', () => {
    const settings = loadSettings({ ...valid, MODERATION_MAX_LENGTH: '80', MODERATION_BLOCKLIST: 'foo, bar baz' });
    expect(settings.moderation.maxLength).toBe(80);
    expect(settings.moderation.blocklist).toEqual(['foo', 'bar baz']);
  });

  it('lists every problem at once, by variable name', () => {
    const problems = settingsProblems({
      WEBPUBSUB_HUB: '9bad',
      MODERATION_MAX_LENGTH: 'lots',
      UPSTREAM_TOKEN_ISSUER: 'x',
    });
    expect(problems.join('\n')).toMatch(/WEBPUBSUB_ENDPOINT/);
    expect(problems.join('\n')).toMatch(/WEBPUBSUB_HUB/);
    expect(problems.join('\n')).toMatch(/MODERATION_MAX_LENGTH/);
    expect(problems.join('\n')).toMatch(/UPSTREAM_TOKEN_/);
    expect(problems.join('\n')).toMatch(/TABLES_ENDPOINT/);
  });

  it('takes named CORS origins and refuses *, which would let any site call the API as the signed-in user', () => {
    const origins = 'https://chat.contoso.com, http://localhost:5173';
    expect(loadSettings({ ...valid, CORS_ORIGINS: origins }).corsOrigins).toEqual([
      'https://chat.contoso.com',
      'http://localhost:5173',
    ]);
    expect(settingsProblems({ ...valid, CORS_ORIGINS: 'https://chat.contoso.com,*' }).join()).toMatch(
      /CORS_ORIGINS: name each origin; \* is not allowed with sign-in/,
    );
  });

  it('refuses a configuration that cannot authenticate upstream requests', () => {
    const { UPSTREAM_TOKEN_ISSUER, UPSTREAM_TOKEN_JWKS_URI, UPSTREAM_TOKEN_AUDIENCE, UPSTREAM_PRINCIPAL_ID, ...rest } =
      valid;
    expect(settingsProblems(rest).join()).toMatch(/cannot be authenticated/);
    expect(loadSettings({ ...rest, WEBPUBSUB_ACCESS_KEYS: 'k1,k2' }).upstream.accessKeys).toEqual(['k1', 'k2']);
  });
});

describe('loadSettings with the example file', () => {
  it('treats empty values as unset, so local.settings.json.example needs only its placeholders filled', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = JSON.parse(await readFile(new URL('../../local.settings.json.example', import.meta.url), 'utf8'));
    const values = { ...example.Values, ...valid };
    const settings = loadSettings(values);
    expect(settings.webPubSub.clientEndpoint).toBeUndefined();
    expect(settings.moderation.blocklist).toEqual([]);
  });
});

describe('settings documentation', () => {
  it('names every setting the app reads in the README table and in local.settings.json.example', async () => {
    const { readFile } = await import('node:fs/promises');
    const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
    const source = await read('src/settings.ts');
    const names = new Set([...source.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g)].map((match) => match[1] ?? ''));
    const readme = await read('README.md');
    const example = Object.keys(JSON.parse(await read('local.settings.json.example')).Values);
    expect(names.size).toBeGreaterThan(30);
    for (const name of names) {
      expect(readme, name).toContain(`\`${name}\``);
      // Set by the platform, not by the user.
      if (name !== 'WEBSITE_AUTH_ENABLED') expect(example, name).toContain(name);
    }
  });
});
