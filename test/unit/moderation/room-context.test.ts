import { describe, expect, it } from 'vitest';
import {
  compileList,
  createModerator,
  initialModerationState,
  moderationPolicySchema,
  type RoomContext,
} from '../../../src/moderation/index.js';

const moderator = createModerator(moderationPolicySchema.parse({ rateMessages: 20 }));

describe('the policy with a room context', () => {
  it('slow mode refuses within the cool-down without a strike, and keeps its state only while on', () => {
    const room: RoomContext = { limits: { slowModeSeconds: 10, linksAllowed: true } };
    const first = moderator.moderate('hello', initialModerationState(), 1_000, room);
    expect(first.verdict.allowed).toBe(true);
    expect(first.state.last).toBe(1_000);
    const second = moderator.moderate('again', first.state, 5_000, room);
    expect(second.verdict).toMatchObject({ allowed: false, rule: 'slow-mode', strikes: 0 });
    expect(second.verdict.allowed ? '' : second.verdict.message).toMatch(/wait 6 more/);
    expect(moderator.moderate('again', second.state, 11_000, room).verdict.allowed).toBe(true);
    expect(moderator.moderate('no room', first.state, 2_000).state.last).toBeUndefined();
  });

  it('refuses links where they are not allowed, and applies the smaller maximum length', () => {
    const room: RoomContext = { limits: { slowModeSeconds: 0, linksAllowed: false, maxLength: 10 } };
    const state = initialModerationState();
    expect(moderator.moderate('x.io/a', state, 0, room).verdict).toMatchObject({ rule: 'links', strikes: 0 });
    expect(moderator.moderate('eleven char', state, 0, room).verdict).toMatchObject({ rule: 'length' });
    expect(moderator.moderate('x.io/a', state, 0).verdict.allowed).toBe(true);
  });

  it('a blocking list rule refuses with list:<id> and a strike; a flagging one delivers with flags', () => {
    const lists = [
      compileList([{ id: 'abc', kind: 'word', pattern: 'zorblax', action: 'block' }]),
      compileList([{ id: 'def', kind: 'domain', pattern: 'shady.example', action: 'flag' }]),
    ];
    const state = initialModerationState();
    const blocked = moderator.moderate('you Z0RBLAX', state, 0, { lists }).verdict;
    expect(blocked).toMatchObject({ allowed: false, rule: 'list:abc', strikes: 1 });
    expect(blocked.allowed ? '' : blocked.message).not.toContain('zorblax');
    expect(moderator.moderate('see www.shady.example', state, 0, { lists }).verdict).toEqual({
      allowed: true,
      text: 'see www.shady.example',
      flags: ['def'],
    });
  });
});
