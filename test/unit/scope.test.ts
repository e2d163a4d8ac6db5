import { describe, expect, it } from 'vitest';
import { roomOf, roomScope, ruleScope, sanctionScope } from '../../src/scope.js';

describe('scopes', () => {
  it('name a room, or everywhere in the words sanctions and rules use', () => {
    expect(sanctionScope('lobby')).toBe('room:lobby');
    expect(sanctionScope(undefined)).toBe('app');
    expect(ruleScope('lobby')).toBe('room:lobby');
    expect(ruleScope(undefined)).toBe('global');
  });

  it('give back the room they name, whatever it holds', () => {
    for (const room of ['lobby', 'a:b', 'room:x', '']) expect(roomOf(roomScope(room))).toBe(room);
    expect(roomOf('app')).toBeUndefined();
    expect(roomOf('global')).toBeUndefined();
  });
});
