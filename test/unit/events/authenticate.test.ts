import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors.js';
import { UpstreamAuthenticator } from '../../../src/events/authenticate.js';
import { parseCloudEvent } from '../../../src/events/cloud-event.js';
import { cloudEventHeaders } from '../support/factories.js';

const keys = ['primary-key', 'secondary-key'];
const sign = (key: string, connectionId: string) =>
  `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`;
const authenticator = new UpstreamAuthenticator({
  allowedOrigins: ['chat.webpubsub.azure.com'],
  token: undefined,
  accessKeys: keys,
});

describe('UpstreamAuthenticator signatures', () => {
  it('accepts a signature by either key, in any case', async () => {
    for (const signature of [
      sign(keys[0] ?? '', 'conn-1'),
      `sha256=ab,${sign(keys[1] ?? '', 'conn-1').toUpperCase()}`,
    ]) {
      const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': signature }));
      await expect(authenticator.authenticate(null, event, new Date())).resolves.toBeUndefined();
    }
  });

  it('rejects missing, forged and replayed-for-another-connection signatures', async () => {
    for (const signature of [undefined, sign('guess', 'conn-1'), sign(keys[0] ?? '', 'conn-2')]) {
      const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': signature }));
      await expect(authenticator.authenticate(null, event, new Date())).rejects.toThrow(UnauthorizedError);
    }
  });

  it('rejects stale events', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': sign(keys[0] ?? '', 'conn-1'), 'ce-time': old }));
    await expect(authenticator.authenticate(null, event, new Date())).rejects.toThrow(/stale/);
  });
});

describe('UpstreamAuthenticator abuse protection', () => {
  it('allows only the configured Web PubSub hosts', () => {
    expect(authenticator.allowedOrigin('chat.webpubsub.azure.com')).toBe('chat.webpubsub.azure.com');
    expect(() => authenticator.allowedOrigin('evil.example.com')).toThrow(ForbiddenError);
    expect(() => authenticator.allowedOrigin(null)).toThrow(ForbiddenError);
  });
});
