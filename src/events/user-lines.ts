import { z } from 'zod';
import type { UserLine } from '../contracts.js';

/** Lines a user's row keeps per room: enough for a moderator to see what they have been saying. */
const keptLinesPerRoom = 20;
/** Characters of a line kept: the row is rewritten on each line, so a 100,000-character refusal must not ride along. */
const keptLineLength = 300;

/**
 * One of the user's lines the policy decided, as their row in the room keeps it (compact: it is written on every
 * line). Delivered lines have their message id; refused ones the rule; flagged ones the list rules that flagged them.
 */
const keptLineSchema = z.object({
  id: z.string().optional(),
  ts: z.number(),
  text: z.string(),
  rule: z.string().optional(),
  flags: z.array(z.string()).optional(),
  shadow: z.literal(true).optional(),
});
export type KeptLine = z.infer<typeof keptLineSchema>;

const keptLinesSchema = z.array(keptLineSchema);

/** The row's lines; none for a row written before lines were kept, or one edited into something unreadable. */
export function decodeLines(encoded: string | undefined): KeptLine[] {
  if (encoded === undefined) return [];
  try {
    return keptLinesSchema.safeParse(JSON.parse(encoded)).data ?? [];
  } catch {
    return [];
  }
}

/** The lines with `line` added, clipped, keeping the newest `keptLinesPerRoom` that are younger than `retentionMs`. */
export function keepLine(lines: readonly KeptLine[], line: KeptLine, retentionMs: number): KeptLine[] {
  const oldest = line.ts - retentionMs;
  const kept = lines.filter((earlier) => earlier.ts > oldest);
  kept.push({ ...line, text: clip(line.text) });
  return kept.slice(-keptLinesPerRoom);
}

function clip(text: string): string {
  if (text.length <= keptLineLength) return text;
  // Not half a surrogate pair at the cut.
  return `${text.slice(0, keptLineLength).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/** The kept lines of the user's rooms as the API shows them, newest first, those older than `oldest` left out. */
export function userLines(rows: readonly { room: string; lines?: string }[], oldest: number): UserLine[] {
  return (
    rows
      .flatMap(({ room, lines }) => decodeLines(lines).map((line, order) => ({ room, line, order })))
      .filter(({ line }) => line.ts > oldest)
      // A row keeps its lines oldest first, so of two in one millisecond the later one is newer.
      .sort((a, b) => b.line.ts - a.line.ts || b.order - a.order)
      .map(({ room, line }) => ({
        room,
        ...(line.id ? { id: line.id } : {}),
        text: line.text,
        ts: new Date(line.ts).toISOString(),
        ...outcomeOf(line),
      }))
  );
}

function outcomeOf(line: KeptLine): Pick<UserLine, 'outcome' | 'rules'> {
  if (line.rule) return { outcome: 'refused', rules: [line.rule] };
  if (line.shadow) return { outcome: 'shadow' };
  if (line.flags) return { outcome: 'flagged', rules: line.flags.map((flag) => `list:${flag}`) };
  return { outcome: 'delivered' };
}
