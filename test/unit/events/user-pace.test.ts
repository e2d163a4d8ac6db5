import { describe, expect, it } from 'vitest';
import { UserPaces } from '../../../src/events/user-pace.js';
import { initialModerationState } from '../../../src/moderation/index.js';
import type { CounterStore, StoredPace } from '../../../src/store/types.js';

/** The two calls UserPaces makes, over a map with ETags as Table Storage keeps them, counting what it is asked. */
function paceTable() {
  const rows = new Map<string, StoredPace>();
  const calls = { reads: 0, writes: 0 };
  let version = 0;
  const store = {
    async getPace(userId: string, room: string) {
      calls.reads++;
      return rows.get(`${userId}/${room}`);
    },
    async putPace(userId: string, room: string, pace: string, etag: string | undefined) {
      calls.writes++;
      const id = `${userId}/${room}`;
      if (rows.get(id)?.etag !== etag) return undefined;
      const written = { pace, etag: `v${++version}` };
      rows.set(id, written);
      return written.etag;
    },
  } as Pick<CounterStore, 'getPace' | 'putPace'> as CounterStore;
  return { store, calls };
}

const withStrikes = (strikes: number) => ({ ...initialModerationState(), strikes });

describe('UserPaces', () => {
  it('takes a user it has not seen as new (no read), then writes with the ETag it remembers and no read', async () => {
    const { store, calls } = paceTable();
    const paces = new UserPaces(store);
    let pace = await paces.read('ann', 'lobby');
    for (let strikes = 1; strikes <= 3; strikes++) {
      expect(await paces.write('ann', 'lobby', pace, withStrikes(strikes))).toBe(true);
      pace = await paces.read('ann', 'lobby');
    }
    expect(pace.state.strikes).toBe(3);
    expect(calls).toEqual({ reads: 0, writes: 3 });
    // An unchanged state costs nothing.
    expect(await paces.write('ann', 'lobby', pace, pace.state)).toBe(true);
    expect(calls.writes).toBe(3);
  });

  it('refuses a write over a row another instance created or changed, and reads it fresh', async () => {
    const { store } = paceTable();
    const here = new UserPaces(store);
    const there = new UserPaces(store);
    const stale = await here.read('ann', 'lobby');
    const seen = await there.read('ann', 'lobby');
    expect(await there.write('ann', 'lobby', seen, withStrikes(1))).toBe(true);
    expect(await here.write('ann', 'lobby', stale, withStrikes(1))).toBe(false);
    const fresh = await here.read('ann', 'lobby', true);
    expect(fresh.state.strikes).toBe(1);
    expect(await here.write('ann', 'lobby', fresh, withStrikes(2))).toBe(true);
  });
});
