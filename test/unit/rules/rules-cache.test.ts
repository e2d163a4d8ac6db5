import { describe, expect, it } from 'vitest';
import type { RulesSource } from '../../../src/rules/rules-cache.js';
import { RulesCache } from '../../../src/rules/rules-cache.js';
import type { ListRuleRecord, Sanction } from '../../../src/store/types.js';

/** The part of the store the cache reads, counting its reads. */
function fakeStore() {
  const state = {
    version: 'v1',
    rules: [] as ListRuleRecord[],
    sanctions: [] as Sanction[],
    reads: { version: 0, loads: 0 },
    failing: false,
  };
  const configuration = {
    async getConfigVersion() {
      state.reads.version += 1;
      if (state.failing) throw new Error('table down');
      return state.version;
    },
    async listRoomSettings() {
      return [
        {
          room: 'lobby',
          slowModeSeconds: 5,
          linksAllowed: false,
          updatedBy: 'm',
          updatedAt: new Date(0),
        },
      ];
    },
    async listRules() {
      state.reads.loads += 1;
      return state.rules;
    },
  };
  const sanctions = {
    async listSanctions() {
      return state.sanctions;
    },
  };
  const store = { configuration, sanctions } as unknown as RulesSource;
  return { state, store };
}

const rule = (id: string, scope: ListRuleRecord['scope']): ListRuleRecord => ({
  id,
  kind: 'word',
  pattern: `word${id}`,
  action: 'block',
  scope,
  createdBy: 'm',
  createdAt: new Date(0),
});

describe('rules cache', () => {
  it('reuses a snapshot for the TTL, then reads only the version, and reloads when it changed', async () => {
    const { state, store } = fakeStore();
    let now = 0;
    const cache = new RulesCache(store, { ttlMs: 5_000, now: () => new Date(now), warn: () => {} });
    await cache.current();
    for (let i = 0; i < 100; i++) await cache.current();
    expect(state.reads).toEqual({ version: 1, loads: 1 });
    now = 5_000;
    await cache.current();
    expect(state.reads).toEqual({ version: 2, loads: 1 });
    state.version = 'v2';
    state.rules = [rule('1', 'global'), rule('2', 'room:lobby')];
    now = 10_000;
    const snapshot = await cache.current();
    expect(state.reads).toEqual({ version: 3, loads: 2 });
    expect(snapshot.room('lobby').lists).toHaveLength(2);
    expect(snapshot.room('lobby').limits).toEqual({ slowModeSeconds: 5, linksAllowed: false });
    expect(snapshot.room('other').lists).toHaveLength(1);
    expect(snapshot.room('other').limits).toBeUndefined();
  });

  it('checks the version at once after invalidate, and serves the last snapshot when the store fails', async () => {
    const { state, store } = fakeStore();
    const warnings: string[] = [];
    const cache = new RulesCache(store, { ttlMs: 5_000, now: () => new Date(0), warn: (m) => warnings.push(m) });
    const first = await cache.current();
    cache.invalidate();
    state.failing = true;
    expect(await cache.current()).toBe(first);
    expect(warnings[0]).toMatch(/refresh failed, using version v1/);
  });

  it('finds sanctions in the room or app-wide while they are in force', async () => {
    const { state, store } = fakeStore();
    const sanction = (kind: Sanction['kind'], scope: Sanction['scope'], until: number): Sanction => ({
      kind,
      scope,
      userId: 'u',
      until: new Date(until),
      reason: 'r',
      actor: 'm',
      createdAt: new Date(0),
    });
    state.sanctions = [sanction('mute', 'room:lobby', 10_000), sanction('shadow-ban', 'app', 10_000)];
    const snapshot = await new RulesCache(store, { ttlMs: 1, now: () => new Date(0), warn: () => {} }).current();
    expect(snapshot.sanction('mute', 'u', 'lobby', new Date(1))?.scope).toBe('room:lobby');
    expect(snapshot.sanction('mute', 'u', 'hall', new Date(1))).toBeUndefined();
    expect(snapshot.sanction('shadow-ban', 'u', 'hall', new Date(1))?.scope).toBe('app');
    expect(snapshot.sanction('mute', 'u', 'lobby', new Date(10_000))).toBeUndefined();
  });
});
