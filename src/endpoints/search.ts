import { z } from 'zod';
import type { App } from '../app.js';
import type { FoundLine, MessageSearch } from '../contracts.js';
import { roomSchema } from '../events/rooms.js';
import { userLines } from '../events/user-lines.js';
import { parseWith } from '../http/body.js';
import { userIdSchema } from '../http/fields.js';
import { json } from '../http/responses.js';
import { messageRetentionMs } from '../settings.js';
import { moderatorOnly } from './moderate.js';
import { contextLine } from './queue.js';

const searchQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  user: userIdSchema.optional(),
  room: roomSchema.optional(),
  minutes: z.coerce.number().int().min(1).max(1_440).default(60),
});
type SearchQuery = z.infer<typeof searchQuerySchema>;

/** Lines a search answers at most, newest first. */
const searchLimit = 200;
/** Rooms a search of every room reads at most (the busiest of the span): each is 16 partition queries. */
const roomsSearchedAtMost = 20;
/** Lines read from one room at most. */
const linesReadPerRoom = 5_000;

/**
 * `GET /api/moderate/messages?q=&user=&room=&minutes=`: recent lines whose text contains `q` (any case), newest
 * first. In a `room`: its delivered lines (its 16 message shards read once for the span), by `user` if given. By a
 * `user` alone: their latest lines in every room, refused ones too (one query of their partition: their rows keep
 * them). Neither: the delivered lines of the span's busiest rooms (from the insights counters) and of the rooms people
 * are in now. Table Storage has no text search, so the text is matched here.
 */
export const searchMessages = moderatorOnly(async (request, app) => {
  const query = parseWith(searchQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
  const since = app.now().getTime() - query.minutes * 60_000;
  const { rooms, lines } = query.room
    ? await roomsLines(app, [query.room], since)
    : query.user
      ? await authorLines(app, query.user, since)
      : await roomsLines(app, await activeRooms(app, since), since);
  const needle = query.q?.toLowerCase();
  const found = lines
    .filter(
      (line) => (!needle || line.text.toLowerCase().includes(needle)) && (!query.user || line.from === query.user),
    )
    .sort((a, b) => b.ts.localeCompare(a.ts))
    .slice(0, searchLimit);
  const search: MessageSearch = { rooms, lines: found };
  return json(200, search);
});

async function roomsLines(app: App, rooms: readonly string[], since: number): Promise<MessageSearch> {
  const now = app.now();
  // Just after now, so that the lines of this very millisecond are before it.
  const end = new Date(now.getTime() + 1);
  const spanMs = end.getTime() - since;
  const read = await Promise.all(
    rooms.map((room) => app.messages.listMessagesAround(room, end, { spanMs, limit: linesReadPerRoom, now })),
  );
  const lines = read.flatMap(({ before }) =>
    before.map((record): FoundLine => ({ ...contextLine(record), room: record.room, outcome: 'delivered' })),
  );
  return { rooms: [...rooms], lines };
}

async function authorLines(app: App, user: NonNullable<SearchQuery['user']>, since: number): Promise<MessageSearch> {
  const rows = await app.counters.listPaces(user);
  // A row not written lately still holds lines past the retention.
  const oldest = Math.max(since, app.now().getTime() - messageRetentionMs(app.settings));
  const lines = userLines(rows, oldest).map((line): FoundLine => ({ ...line, from: user }));
  return { rooms: rows.map((row) => row.room).sort(), lines };
}

/** The rooms that delivered most in the span (the counters lag by their flush), and those with people in them now. */
async function activeRooms(app: App, since: number): Promise<string[]> {
  const [buckets, present] = await Promise.all([
    app.stats.listBuckets(new Date(since), new Date(app.now().getTime() + 60_000)),
    app.presence.listRooms(),
  ]);
  const delivered = new Map<string, number>();
  for (const bucket of buckets) delivered.set(bucket.room, (delivered.get(bucket.room) ?? 0) + bucket.delivered);
  for (const { room } of present) delivered.set(room, delivered.get(room) ?? 0);
  return [...delivered]
    .sort(([roomA, a], [roomB, b]) => b - a || roomA.localeCompare(roomB))
    .slice(0, roomsSearchedAtMost)
    .map(([room]) => room);
}
