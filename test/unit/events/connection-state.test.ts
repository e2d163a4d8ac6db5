import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/errors.js';
import {
  decodeConnectionState,
  encodeConnectionState,
  initialConnectionState,
} from '../../../src/events/connection-state.js';
import { reply } from '../../../src/events/reply.js';

describe('connection state', () => {
  it('round-trips through the ce-connectionState header', () => {
    const state = initialConnectionState('lobby');
    expect(decodeConnectionState(encodeConnectionState(state))).toEqual(state);
  });

  it('starts fresh without a header', () => {
    expect(decodeConnectionState(undefined)).toEqual(initialConnectionState());
  });

  it('refuses a state it did not write', () => {
    expect(() => decodeConnectionState('not base64 json')).toThrow(BadRequestError);
    expect(() => decodeConnectionState(Buffer.from('{"room":5}').toString('base64'))).toThrow(BadRequestError);
  });

  it('rides on a reply only when it changed: without the header the service keeps the one it has', () => {
    const changed = initialConnectionState('lobby');
    expect(reply({ type: 'accepted', id: 'm1' }, changed)).toEqual({
      status: 200,
      jsonBody: { type: 'accepted', id: 'm1' },
      headers: { 'ce-connectionState': encodeConnectionState(changed) },
    });
    const refused = { type: 'refused', rule: 'not-in-room', message: 'Join first.' } as const;
    expect(reply(refused)).toEqual({ status: 200, jsonBody: refused });
  });
});
