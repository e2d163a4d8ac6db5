import type { HttpResponseInit } from '@azure/functions';
import { notifyModerators } from '../actions/notify-moderators.js';
import type { App } from '../app.js';
import type { ChatLine } from '../contracts.js';
import { messageRetentionMs } from '../settings.js';
import type { MessageRecord, Sanction } from '../store/types.js';
import { reply } from './reply.js';

/** Where the handler reports what chatters are not told (an AI outage); the invocation's log in Functions. */
export interface EventLog {
  warn(message: string): void;
}

/** One accepted line on its way out: who sent it, where, when, and what the audit entries about it share. */
export interface AcceptedLine {
  /** The message id it is delivered with. */
  id: string;
  userId: string;
  connectionId: string;
  room: string;
  at: Date;
  text: string;
  /** The list rules that let it through but want it reviewed. */
  flags?: readonly string[];
  audit: { at: Date; actor: string; target: string; connectionId: string; room: string };
}

/**
 * Delivery of an accepted line: to the room, with a compact record for reports and the review queue for flagged
 * lines; or, under a shadow ban, to its author alone.
 */
export async function deliverLine(
  app: App,
  line: AcceptedLine,
  shadowBan: Sanction | undefined,
  log: EventLog,
): Promise<HttpResponseInit> {
  const { id, room, userId, text, at } = line;
  const message: ChatLine = { type: 'chat', id, room, from: userId, text, ts: at.toISOString() };
  if (shadowBan) return deliverToAuthor(app, line, message, shadowBan, log);

  const record: MessageRecord = {
    id,
    room,
    from: userId,
    connectionId: line.connectionId,
    text,
    ts: at,
    expiresAt: new Date(at.getTime() + messageRetentionMs(app.settings)),
  };
  const [sent, recorded] = await Promise.allSettled([
    app.webPubSub.group(room).sendToAll(message),
    app.messages.recordMessage(record),
  ]);
  if (sent.status === 'rejected') return notDelivered(log, id, sent.reason);
  app.insights.record({ kind: 'delivered', room, flagged: line.flags !== undefined });
  if (recorded.status === 'rejected') {
    log.warn(`Chat line ${id} was delivered but not recorded for reports: ${describeError(recorded.reason)}`);
  }
  if (line.flags) {
    const flagged = line.flags.map((flag) => `list:${flag}`);
    const item = await app.messages.enqueue(record, { rules: flagged }, at);
    await notifyModerators(app, { type: 'queue-changed', change: 'added', id: item.id, room });
    await app.audit.appendAudit({
      ...line.audit,
      action: 'flag',
      rule: flagged.join(','),
      reason: `Message ${id} delivered and queued for review`,
      outcome: 'succeeded',
    });
  }
  return reply({ type: 'accepted', id });
}

/** The author sees their line as everyone's would look; nobody else receives it, and the reply is the usual one. */
async function deliverToAuthor(
  app: App,
  line: AcceptedLine,
  message: ChatLine,
  shadowBan: Sanction,
  log: EventLog,
): Promise<HttpResponseInit> {
  const [sent] = await Promise.allSettled([app.webPubSub.sendToConnection(line.connectionId, message)]);
  if (sent.status === 'rejected') return notDelivered(log, message.id, sent.reason);
  await app.audit.appendAudit({
    ...line.audit,
    action: 'shadow-deliver',
    rule: 'shadow-ban',
    reason: `Message ${message.id} delivered to its author alone (shadow ban by ${shadowBan.actor})`,
    outcome: 'succeeded',
  });
  return reply({ type: 'accepted', id: message.id });
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The service would not take the line, even after the SDK's retries. Answering the event with an error status would
 * make Web PubSub drop the author's connection, so the author is told instead. The line has counted towards the
 * user's limits: they are written before delivery, so that concurrent connections cannot overspend them.
 */
function notDelivered(log: EventLog, id: string, error: unknown): HttpResponseInit {
  log.warn(`Chat line ${id} was not delivered: ${describeError(error)}`);
  const message = 'The chat service did not take your message, so nobody received it. Try again.';
  return reply({ type: 'error', code: 'NotDelivered', id, message });
}
