import type { MessageRecord } from './types.js';

/** The nearest `limit` lines on each side of `at`, oldest first; a line sent at `at` itself is on neither side. */
export function nearestAround(
  lines: readonly MessageRecord[],
  at: Date,
  limit: number,
): { before: MessageRecord[]; after: MessageRecord[] } {
  const sorted = [...lines].sort((a, b) => a.ts.getTime() - b.ts.getTime() || a.id.localeCompare(b.id));
  return {
    before: sorted.filter((line) => line.ts < at).slice(-limit),
    after: sorted.filter((line) => line.ts > at).slice(0, limit),
  };
}
