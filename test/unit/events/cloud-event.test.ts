import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/errors.js';
import { parseCloudEvent } from '../../../src/events/cloud-event.js';
import { cloudEventHeaders } from '../support/factories.js';

describe('parseCloudEvent', () => {
  it('reads a user event', () => {
    const event = parseCloudEvent(cloudEventHeaders());
    expect(event).toMatchObject({ kind: 'user', name: 'chat', hub: 'chat', connectionId: 'conn-1', userId: 'alice' });
  });

  it('names system events after their type', () => {
    const event = parseCloudEvent(
      cloudEventHeaders({
        'ce-type': 'azure.webpubsub.sys.connect',
        'ce-eventname': 'connect',
        'ce-userid': undefined,
      }),
    );
    expect(event).toMatchObject({ kind: 'system', name: 'connect', userId: undefined });
  });

  it.each([
    ['ce-specversion', '0.3'],
    ['ce-type', 'com.example.other'],
    ['ce-connectionid', undefined],
    ['ce-hub', undefined],
    ['ce-time', 'yesterday'],
    // A valid token with no ce-time used to skip the freshness check: a captured request replayed for ever.
    ['ce-time', undefined],
  ])('answers 400 naming %s when it is %s', (header, value) => {
    let error: unknown;
    try {
      parseCloudEvent(cloudEventHeaders({ [header]: value }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain(header);
  });
});
