import { randomUUID } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { evictAndBan } from '../actions/evict.js';
import { screenText } from '../ai/content-safety.js';
import type { App } from '../app.js';
import type { ChatLine } from '../contracts.js';
import type { MessageRecord } from '../store/types.js';
import type { UpstreamEvent } from './cloud-event.js';
import type { ConnectionState } from './connection-state.js';
import { reply } from './reply.js';

/** Where the handler reports what chatters are not told (an AI outage); the invocation's log in Functions. */
export interface EventLog {
  warn(message: string): void;
}

/**
 * A chat line: sanctions from the rules cache (bans, mutes), the policy with the room's limits and lists, then
 * Content Safety where configured; then delivery to the room (or to the author alone under a shadow ban), a compact
 * record for reports, and the review queue for flagged lines. No Table read in steady state; one write per delivery.
 */
export async function chatMessage(
  app: App,
  event: UpstreamEvent,
  state: ConnectionState,
  text: string,
  requestedRoom: string | undefined,
  log: EventLog,
): Promise<HttpResponseInit> {
  const userId = event.userId ?? event.connectionId;
  const room = state.room;
  if (!room || (requestedRoom && requestedRoom !== room)) {
    return reply({ type: 'refused', rule: 'not-in-room', message: 'Join the room before you chat in it.' });
  }
  const now = app.now();
  const rules = await app.rules.current();
  const common = { at: now, actor: 'policy', target: userId, connectionId: event.connectionId, room };
  /** A refusal that leaves the connection's counters as they were (sanctions, Content Safety). */
  const refuse = async (rule: string, message: string) => {
    await app.store.appendAudit({ ...common, rule, action: 'refuse', reason: message, outcome: 'succeeded' });
    return reply({ type: 'refused', rule, message, strikes: state.moderation.strikes, action: 'none' });
  };

  const sanction = rules.sanction('ban', userId, room, now) ?? rules.sanction('mute', userId, room, now);
  if (sanction) {
    const until = sanction.until.toISOString();
    return sanction.kind === 'ban'
      ? refuse('banned', `You are banned from this room until ${until}: ${sanction.reason}`)
      : refuse('muted', `A moderator muted you in this room until ${until}: ${sanction.reason}`);
  }

  const { verdict, state: moderation } = app.moderator.moderate(
    text,
    state.moderation,
    now.getTime(),
    rules.room(room),
  );
  const next = { ...state, moderation };
  if (!verdict.allowed) {
    const entry = { ...common, rule: verdict.rule, reason: verdict.message, outcome: 'succeeded' } as const;
    await app.store.appendAudit({ ...entry, action: 'refuse' });
    if (verdict.action === 'mute') await app.store.appendAudit({ ...entry, action: 'mute' });
    if (verdict.action === 'evict') {
      await evictAndBan(app, {
        connectionId: event.connectionId,
        permission: 'sendToGroup',
        userId,
        room,
        reason: `Removed by moderation: ${verdict.message}`,
        banMinutes: app.settings.moderation.banMinutes,
        actor: 'policy',
        rule: verdict.rule,
      });
    }
    return reply(
      {
        type: 'refused',
        rule: verdict.rule,
        message: verdict.message,
        strikes: verdict.strikes,
        action: verdict.action,
      },
      next,
    );
  }

  const { contentSafety } = app.settings;
  if (contentSafety && app.contentSafety) {
    // After the cheap filters; a refusal here leaves the connection's counters as they were.
    const screened = await screenText(app.contentSafety, contentSafety, verdict.text);
    if (screened.outcome === 'unavailable') {
      log.warn(`Content Safety unavailable, failing ${contentSafety.failure}: ${screened.error}`);
      if (!screened.allowed) {
        return refuse('ai-unavailable', 'Automatic content analysis is unavailable; try again shortly.');
      }
    }
    if (screened.outcome === 'refused') {
      const message = `Your message was refused by automatic content analysis (${screened.category}).`;
      return refuse(`ai:${screened.category}`, message);
    }
  }

  const id = randomUUID();
  const message: ChatLine = { type: 'chat', id, room, from: userId, text: verdict.text, ts: now.toISOString() };
  const shadowBan = rules.sanction('shadow-ban', userId, room, now);
  if (shadowBan) {
    // The author sees their line as everyone's would look; nobody else receives it, and the reply is the usual one.
    const [sent] = await Promise.allSettled([app.webPubSub.sendToConnection(event.connectionId, message)]);
    if (sent.status === 'rejected') return notDelivered(log, id, sent.reason);
    await app.store.appendAudit({
      ...common,
      action: 'shadow-deliver',
      rule: 'shadow-ban',
      reason: `Message ${id} delivered to its author alone (shadow ban by ${shadowBan.actor})`,
      outcome: 'succeeded',
    });
    return reply({ type: 'accepted', id }, next);
  }
  const record: MessageRecord = {
    id,
    room,
    from: userId,
    connectionId: event.connectionId,
    text: verdict.text,
    ts: now,
    expiresAt: new Date(now.getTime() + app.settings.messageRetentionHours * 3_600_000),
  };
  const [sent, recorded] = await Promise.allSettled([
    app.webPubSub.group(room).sendToAll(message),
    app.store.recordMessage(record),
  ]);
  if (sent.status === 'rejected') return notDelivered(log, id, sent.reason);
  if (recorded.status === 'rejected') {
    log.warn(`Chat line ${id} was delivered but not recorded for reports: ${describeError(recorded.reason)}`);
  }
  if (verdict.flags) {
    const flagged = verdict.flags.map((flag) => `list:${flag}`);
    await app.store.enqueue(record, { rules: flagged }, now);
    await app.store.appendAudit({
      ...common,
      action: 'flag',
      rule: flagged.join(','),
      reason: `Message ${id} delivered and queued for review`,
      outcome: 'succeeded',
    });
  }
  return reply({ type: 'accepted', id }, next);
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The service would not take the line, even after the SDK's retries. Answering the event with an error status would
 * make Web PubSub drop the author's connection, so the author is told instead, and the connection's counters stay as
 * they were: trying again is not a repeat.
 */
function notDelivered(log: EventLog, id: string, error: unknown): HttpResponseInit {
  log.warn(`Chat line ${id} was not delivered: ${describeError(error)}`);
  const message = 'The chat service did not take your message, so nobody received it. Try again.';
  return reply({ type: 'error', code: 'NotDelivered', id, message });
}
