import { randomUUID } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { changeConfiguration } from '../actions/configure.js';
import { evictAndBan } from '../actions/evict.js';
import { screenText } from '../ai/content-safety.js';
import type { App } from '../app.js';
import type { ChatLine } from '../contracts.js';
import type { Verdict } from '../moderation/index.js';
import type { MessageRecord } from '../store/types.js';
import type { UpstreamEvent } from './cloud-event.js';
import type { ConnectionState } from './connection-state.js';
import { reply } from './reply.js';

/** Where the handler reports what chatters are not told (an AI outage); the invocation's log in Functions. */
export interface EventLog {
  warn(message: string): void;
}

/** Conflicting writes of one user's counters tolerated before a line is refused as too quick. */
const maxPaceAttempts = 5;

/**
 * A chat line: sanctions from the rules cache (bans, mutes), the policy with the room's limits and lists over the
 * user's counters in the room (shared by all their connections: `UserPaces`), then Content Safety where configured;
 * then delivery to the room (or to the author alone under a shadow ban), a compact record for reports, and the review
 * queue for flagged lines. No Table read in steady state; a delivered line writes its record and the user's counters.
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
  let pace = await app.paces.read(userId, room);
  /** A refusal that leaves the user's counters as they were (sanctions, Content Safety). */
  const refuse = async (rule: string, message: string) => {
    await app.audit.appendAudit({ ...common, rule, action: 'refuse', reason: message, outcome: 'succeeded' });
    return reply({ type: 'refused', rule, message, strikes: pace.state.strikes, action: 'none' });
  };

  const sanction = rules.sanction('ban', userId, room, now) ?? rules.sanction('mute', userId, room, now);
  if (sanction) {
    const until = sanction.until.toISOString();
    if (sanction.kind === 'ban')
      return refuse('banned', `You are banned from this room until ${until}: ${sanction.reason}`);
    const who = sanction.actor === 'policy' ? 'You are muted' : 'A moderator muted you';
    return refuse('muted', `${who} in this room until ${until}: ${sanction.reason}`);
  }

  let screened: Awaited<ReturnType<typeof screenText>> | undefined;
  /** Content Safety, after the cheap filters and once however often the counters are decided again. */
  const screen = async (accepted: string): Promise<HttpResponseInit | undefined> => {
    const { contentSafety } = app.settings;
    if (!contentSafety || !app.contentSafety) return undefined;
    screened ??= await screenText(app.contentSafety, contentSafety, accepted);
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
    return undefined;
  };

  let verdict: Verdict;
  for (let attempt = 1; ; attempt++) {
    const result = app.moderator.moderate(text, pace.state, now.getTime(), rules.room(room));
    verdict = result.verdict;
    // A Content Safety refusal leaves the user's counters as they were.
    const screenedOut = verdict.allowed ? await screen(verdict.text) : undefined;
    if (screenedOut) return screenedOut;
    // Written before anything is delivered: a connection that lost the race decides again on what the other wrote.
    if (await app.paces.write(userId, room, pace, result.state)) break;
    if (attempt >= maxPaceAttempts) {
      return refuse('rate', 'You are sending messages too quickly from several connections; try again.');
    }
    pace = await app.paces.read(userId, room, true);
  }
  if (!verdict.allowed) return refused(app, event, userId, room, verdict, common);

  const id = randomUUID();
  const message: ChatLine = { type: 'chat', id, room, from: userId, text: verdict.text, ts: now.toISOString() };
  const shadowBan = rules.sanction('shadow-ban', userId, room, now);
  if (shadowBan) {
    // The author sees their line as everyone's would look; nobody else receives it, and the reply is the usual one.
    const [sent] = await Promise.allSettled([app.webPubSub.sendToConnection(event.connectionId, message)]);
    if (sent.status === 'rejected') return notDelivered(log, id, sent.reason);
    await app.audit.appendAudit({
      ...common,
      action: 'shadow-deliver',
      rule: 'shadow-ban',
      reason: `Message ${id} delivered to its author alone (shadow ban by ${shadowBan.actor})`,
      outcome: 'succeeded',
    });
    return reply({ type: 'accepted', id });
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
    app.messages.recordMessage(record),
  ]);
  if (sent.status === 'rejected') return notDelivered(log, id, sent.reason);
  if (recorded.status === 'rejected') {
    log.warn(`Chat line ${id} was delivered but not recorded for reports: ${describeError(recorded.reason)}`);
  }
  if (verdict.flags) {
    const flagged = verdict.flags.map((flag) => `list:${flag}`);
    await app.messages.enqueue(record, { rules: flagged }, now);
    await app.audit.appendAudit({
      ...common,
      action: 'flag',
      rule: flagged.join(','),
      reason: `Message ${id} delivered and queued for review`,
      outcome: 'succeeded',
    });
  }
  return reply({ type: 'accepted', id });
}

/**
 * A refusal the policy decided, with its consequence: a mute becomes a sanction in the rules snapshot (as a
 * moderator's, so every connection and instance enforces it); an eviction closes the connection and bans the user.
 */
async function refused(
  app: App,
  event: UpstreamEvent,
  userId: string,
  room: string,
  verdict: Extract<Verdict, { allowed: false }>,
  common: { at: Date; actor: string; target: string; connectionId: string; room: string },
): Promise<HttpResponseInit> {
  const { at, ...who } = common;
  await app.audit.appendAudit({
    ...common,
    rule: verdict.rule,
    reason: verdict.message,
    outcome: 'succeeded',
    action: 'refuse',
  });
  if (verdict.action === 'mute') {
    const draft = { ...who, action: 'mute', rule: verdict.rule, reason: verdict.message } as const;
    await changeConfiguration(app, draft, () =>
      app.sanctions.putSanction({
        kind: 'mute',
        userId,
        scope: `room:${room}`,
        until: new Date(at.getTime() + app.settings.moderation.muteSeconds * 1000),
        reason: `${verdict.strikes} strikes (last: ${verdict.rule})`,
        actor: 'policy',
        createdAt: at,
      }),
    );
  }
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
  const { rule, message, strikes, action } = verdict;
  return reply({ type: 'refused', rule, message, strikes, action });
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
