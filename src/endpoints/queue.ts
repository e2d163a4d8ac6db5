import { z } from 'zod';
import { reviewQueueItem } from '../actions/review.js';
import type { ContextLine, QueueContext } from '../contracts.js';
import { NotFoundError } from '../errors.js';
import { roomSchema } from '../events/rooms.js';
import { parseWith, readJsonBody } from '../http/body.js';
import { reasonSchema, sanctionMinutesSchema } from '../http/fields.js';
import { json } from '../http/responses.js';
import type { MessageRecord, QueueItem } from '../store/types.js';
import { moderatorOnly } from './moderate.js';

const queueQuerySchema = z.object({
  room: roomSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const queueIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.[A-Za-z0-9-]{1,64}$/, 'a queue id is <room>.<messageId>');
const decisionSchema = z
  .object({
    action: z.enum(['dismiss', 'delete', 'mute', 'ban']),
    minutes: sanctionMinutesSchema.optional(),
    reason: reasonSchema.optional(),
    /** For `ban`: the room the message was in (default) or the whole app. */
    scope: z.enum(['room', 'app']).default('room'),
  })
  .strict();

const itemJson = (item: QueueItem) => ({ ...item, ts: item.ts.toISOString(), createdAt: item.createdAt.toISOString() });

/** `GET /api/moderate/queue?room&limit`: flagged and reported messages, newest first. */
export const listQueue = moderatorOnly(async (request, app) => {
  const query = parseWith(queueQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
  const items = await app.messages.listQueue(query);
  return json(200, { items: items.map(itemJson) });
});

/**
 * `POST /api/moderate/queue/{id}` `{ action, minutes?, reason?, scope? }`: dismiss the item, delete the message for
 * everyone (a `deleted` notice to the room), or mute or ban its author; the item leaves the queue.
 */
export const decideQueueItem = moderatorOnly(async (request, app, moderator) => {
  const id = parseWith(queueIdSchema, request.params.id, 'InvalidQueueId', 'id');
  const decision = await readJsonBody(request, decisionSchema);
  const until = await reviewQueueItem(app, { id, ...decision, actor: moderator.userId });
  return json(200, { id, action: decision.action, ...(until ? { until: until.toISOString() } : {}) });
});

/** How far around a queued line its context reaches, and how many lines on each side. */
const contextSpanMs = 10 * 60_000;
const contextLines = 5;

/** A delivered line as the queue's context and the search show it. */
export const contextLine = ({ id, from, text, ts }: MessageRecord): ContextLine => ({
  id,
  from,
  text,
  ts: ts.toISOString(),
});

/**
 * `GET /api/moderate/queue/{id}/context`: the lines just before and after the queued one in its room (at most five
 * each, within ten minutes, still within retention), so a moderator can judge a report in its conversation. Reads the
 * room's 16 message shards once.
 */
export const queueContext = moderatorOnly(async (request, app) => {
  const id = parseWith(queueIdSchema, request.params.id, 'InvalidQueueId', 'id');
  const item = await app.messages.getQueueItem(id);
  if (!item) throw new NotFoundError(`There is no queue item '${id}'.`, 'QueueItemNotFound');
  const around = await app.messages.listMessagesAround(item.room, item.ts, {
    spanMs: contextSpanMs,
    limit: contextLines,
    now: app.now(),
  });
  const context: QueueContext = { id, before: around.before.map(contextLine), after: around.after.map(contextLine) };
  return json(200, context);
});
