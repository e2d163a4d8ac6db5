import { describe, expect, it } from 'vitest';
import { UserPaces } from '../../../src/events/user-pace.js';
import { initialModerationState } from '../../../src/moderation/index.js';
import type { CounterStore, PaceRow, StoredPace } from '../../../src/store/types.js';

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
    async putPace(userId: string, room: string, row: PaceRow, etag: string | undefined) {
      calls.writes++;
      const id = `${userId}/${room}`;
      if (rows.get(id)?.etag !== etag) return undefined;
      const written = { ...row, etag: `v${++version}` };
      rows.set(id, written);
      return written.etag;
    },
  } as Pick<CounterStore, 'getPace' | 'putPace'> as CounterStore;
  return { store, calls, rows };
}

const hour = 3_600_000;
// What the API promises moderators (README, `UserLine` in src/contracts.ts): the newest 20 lines a room, 300
// characters each.
const linesPerRoom = 20;
const lineLength = 300;
const line = (ts: number, text = `line at ${ts}`) => ({ id: `m${ts}`, ts, text });

const withStrikes = (strikes: number) => ({ ...initialModerationState(), strikes });

describe('UserPaces', () => {
  it('takes a user it has not seen as new (no read), then writes with the ETag it remembers and no read', async () => {
    const { store, calls } = paceTable();
    const paces = new UserPaces(store, hour);
    let pace = await paces.read('ann', 'lobby');
    for (let strikes = 1; strikes <= 3; strikes++) {
      expect(await paces.write('ann', 'lobby', pace, withStrikes(strikes), line(strikes))).toBe(true);
      pace = await paces.read('ann', 'lobby');
    }
    expect(pace.state.strikes).toBe(3);
    expect(pace.lines.map((kept) => kept.id)).toEqual(['m1', 'm2', 'm3']);
    expect(calls).toEqual({ reads: 0, writes: 3 });
    // A refusal that changed no counter costs nothing (its audit entry records it); an accepted line always writes.
    expect(await paces.write('ann', 'lobby', pace, pace.state, { ts: 4, text: 'again', rule: 'slow-mode' })).toBe(true);
    expect(calls.writes).toBe(3);
    expect(await paces.write('ann', 'lobby', pace, pace.state, line(5))).toBe(true);
    expect(calls.writes).toBe(4);
  });

  it("keeps the user's newest lines in the row it writes anyway: at most 20, clipped, none past retention", async () => {
    const { store, calls, rows } = paceTable();
    const paces = new UserPaces(store, hour);
    const long = `${'a'.repeat(lineLength - 1)}😀 and more`;
    for (let n = 1; n <= linesPerRoom + 5; n++) {
      const pace = await paces.read('ann', 'lobby');
      await paces.write('ann', 'lobby', pace, withStrikes(0), line(n * 1000, n === 25 ? long : undefined));
    }
    expect(calls.writes).toBe(25);
    const stored = JSON.parse(rows.get('ann/lobby')?.lines ?? '[]') as { id: string; text: string }[];
    expect(stored).toHaveLength(linesPerRoom);
    expect(stored[0]?.id).toBe('m6000');
    // Cut before the emoji rather than through it, and marked as cut.
    expect(stored.at(-1)?.text).toBe(`${'a'.repeat(lineLength - 1)}…`);
    // An hour and more later, the earlier lines are gone with the next write; a fresh read decodes what is kept.
    const later = await paces.read('ann', 'lobby');
    await paces.write('ann', 'lobby', later, withStrikes(0), line(25_000 + hour, 'back'));
    expect((await new UserPaces(store, hour).read('ann', 'lobby', true)).lines.map((kept) => kept.text)).toEqual([
      'back',
    ]);
  });

  it('refuses a write over a row another instance created or changed, and reads it fresh', async () => {
    const { store } = paceTable();
    const here = new UserPaces(store, hour);
    const there = new UserPaces(store, hour);
    const stale = await here.read('ann', 'lobby');
    const seen = await there.read('ann', 'lobby');
    expect(await there.write('ann', 'lobby', seen, withStrikes(1), line(1))).toBe(true);
    expect(await here.write('ann', 'lobby', stale, withStrikes(1), line(2))).toBe(false);
    const fresh = await here.read('ann', 'lobby', true);
    expect(fresh.state.strikes).toBe(1);
    expect(await here.write('ann', 'lobby', fresh, withStrikes(2), line(2))).toBe(true);
    // The line written over the other's keeps it: neither connection's line is lost.
    expect((await here.read('ann', 'lobby')).lines.map((kept) => kept.id)).toEqual(['m1', 'm2']);
  });
});
