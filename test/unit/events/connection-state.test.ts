import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/errors.js';
import {
  decodeConnectionState,
  encodeConnectionState,
  initialConnectionState,
} from '../../../src/events/connection-state.js';

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
});
