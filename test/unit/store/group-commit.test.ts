import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/group-commit.js';

/** A commit function whose calls stay open until the test settles them. */
function controlledCommits() {
  const calls: { partition: string; items: number[]; settle: (error?: Error) => void }[] = [];
  const commit = (partition: string, items: number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ partition, items, settle: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('sends a lone write at once and batches what arrives while it is in flight', async () => {
    const { calls, commit } = controlledCommits();
    const writes = new GroupCommit(commit, 100);
    const first = writes.write('room-a', 1);
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    const waiting = [2, 3, 4].map((item) => writes.write('room-a', item));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.settle();
    await first;
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.settle();
    await Promise.all(waiting);
  });

  it('keeps partitions apart and caps a batch at maxBatch', async () => {
    const { calls, commit } = controlledCommits();
    const writes = new GroupCommit(commit, 2);
    const all = [
      writes.write('a', 1),
      writes.write('b', 10),
      writes.write('a', 2),
      writes.write('a', 3),
      writes.write('a', 4),
    ];
    await tick();
    expect(calls.map((call) => [call.partition, call.items])).toEqual([
      ['a', [1]],
      ['b', [10]],
    ]);
    for (const call of calls.splice(0)) call.settle();
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[2, 3]]);
    calls.splice(0)[0]?.settle();
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[4]]);
    calls.splice(0)[0]?.settle();
    await Promise.all(all);
  });

  it('fails exactly the writes of a failed commit, and later writes still go', async () => {
    const { calls, commit } = controlledCommits();
    const writes = new GroupCommit(commit, 100);
    const first = writes.write('a', 1);
    await tick();
    const second = writes.write('a', 2);
    const third = writes.write('a', 3);
    calls[0]?.settle();
    await first;
    await tick();
    calls[1]?.settle(new Error('Table unavailable'));
    await expect(second).rejects.toThrow('Table unavailable');
    await expect(third).rejects.toThrow('Table unavailable');
    const fourth = writes.write('a', 4);
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4]]);
    calls[2]?.settle();
    await fourth;
  });
});
