import { z } from 'zod';
import { roomSchema } from '../events/rooms.js';
import { parseWith } from '../http/body.js';
import { json } from '../http/responses.js';
import { summarize, windowStart } from '../insights/summary.js';
import { moderatorOnly } from './moderate.js';

const statsQuerySchema = z.object({ room: roomSchema.optional(), window: z.enum(['hour', 'day']).default('hour') });

/**
 * `GET /api/moderate/stats?room=&window=hour|day`: lines delivered, refused (by rule), flagged and reported per
 * minute over the last hour or per hour over the last day, with the busiest rooms and the most refused users. Reads
 * one or two hour partitions (hour) or 25 (day), every instance's rows, summed here.
 */
export const stats = moderatorOnly(async (request, app) => {
  const query = parseWith(statsQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
  const now = app.now();
  const buckets = await app.stats.listBuckets(windowStart(query.window, now), new Date(now.getTime() + 60_000));
  return json(200, summarize(buckets, { now, window: query.window, ...(query.room ? { room: query.room } : {}) }));
});
