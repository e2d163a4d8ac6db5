import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { notifyModerators } from '../actions/notify-moderators.js';
import type { App } from '../app.js';
import type { UpstreamEvent } from './cloud-event.js';
import type { ConnectionState } from './connection-state.js';
import { reply } from './reply.js';

export const reportSchema = z.object({
  messageId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a message id from a chat line'),
  reason: z.string().trim().min(1).max(500),
});

/** User event `report` `{ messageId, reason }`: a message of the reporter's room goes to the review queue. */
export async function reportMessage(
  app: App,
  event: UpstreamEvent,
  state: ConnectionState,
  report: z.infer<typeof reportSchema>,
): Promise<HttpResponseInit> {
  const userId = event.userId ?? event.connectionId;
  const now = app.now();
  // Per user, whatever connection the reports come from, so one user cannot flood the queue.
  if ((await app.counters.countReport(userId, now, 3_600_000)) > app.settings.reportsPerHour) {
    const text = `You can report at most ${app.settings.reportsPerHour} messages an hour.`;
    return reply({ type: 'error', code: 'TooManyReports', messageId: report.messageId, message: text });
  }
  const message = state.room ? await app.messages.getMessage(state.room, report.messageId, now) : undefined;
  if (!state.room || !message) {
    const text = 'There is no recent message with that id in your room.';
    return reply({ type: 'error', code: 'UnknownMessage', messageId: report.messageId, message: text });
  }
  const item = await app.messages.enqueue(
    message,
    { report: { by: userId, reason: report.reason, at: now.toISOString() } },
    now,
  );
  app.insights.record({ kind: 'reported', room: message.room });
  await notifyModerators(app, { type: 'queue-changed', change: 'added', id: item.id, room: message.room });
  await app.audit.appendAudit({
    at: now,
    actor: userId,
    action: 'report',
    target: message.from,
    room: message.room,
    rule: 'report',
    reason: `Message ${message.id}: ${report.reason}`,
    outcome: 'succeeded',
  });
  return reply({ type: 'reported', messageId: message.id, queueId: item.id });
}
