import { randomUUID } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { changeConfiguration } from '../actions/configure.js';
import { evictAndBan } from '../actions/evict.js';
import { screenText } from '../ai/content-safety.js';
import type { App } from '../app.js';
import type { RoomContext, Verdict } from '../moderation/index.js';
import type { RulesSnapshot } from '../rules/rules-cache.js';
import { type AcceptedLine, deliverLine, type EventLog } from './chat-delivery.js';
import type { UpstreamEvent } from './cloud-event.js';
import type { ConnectionState } from './connection-state.js';
import { reply } from './reply.js';
import type { KeptLine } from './user-lines.js';
import type { UserPace } from './user-pace.js';

/** Conflicting writes of one user's counters tolerated before a line is refused as too quick. */
const maxPaceAttempts = 5;

/** A refusal with no consequence beyond its audit entry: the user's counters stay as they were. */
interface PlainRefusal {
  rule: string;
  message: string;
}

/**
 * A chat line, in four steps: the sanctions from the rules cache (bans, mutes); the policy with the room's limits
 * and lists over the user's counters in the room (shared by all their connections: `UserPaces`), with Content Safety
 * where configured; the policy's consequences for a refused line; delivery for an accepted one. No Table read in
 * steady state; a delivered line writes its record and the user's counters.
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
  const audit = { at: now, actor: 'policy', target: userId, connectionId: event.connectionId, room };
  const pace = await app.paces.read(userId, room);
  const refuse = async ({ rule, message }: PlainRefusal, strikes: number) => {
    app.insights.record({ kind: 'refused', room, rule, userId });
    await app.audit.appendAudit({ ...audit, rule, action: 'refuse', reason: message, outcome: 'succeeded' });
    return reply({ type: 'refused', rule, message, strikes, action: 'none' });
  };

  const sanctioned = sanctionRefusal(rules, userId, room, now);
  if (sanctioned) return refuse(sanctioned, pace.state.strikes);

  const screen = contentSafetyScreen(app, log);
  // Known before the counters are written, which keep the line with its id and whether it reached the room.
  const id = randomUUID();
  const shadowBan = rules.sanction('shadow-ban', userId, room, now);
  const line = { id, shadow: shadowBan !== undefined };
  const decision = await decide(app, { userId, room, now, text, context: rules.room(room), pace, screen, line });
  if ('refusal' in decision) return refuse(decision.refusal, decision.strikes);
  const { verdict } = decision;
  if (!verdict.allowed) return refused(app, event, userId, room, verdict, audit);

  const accepted: AcceptedLine = {
    id,
    userId,
    connectionId: event.connectionId,
    room,
    at: now,
    text: verdict.text,
    ...(verdict.flags ? { flags: verdict.flags } : {}),
    audit,
  };
  return deliverLine(app, accepted, shadowBan, log);
}

/** A ban or mute in force for the user in the room, in words for them. */
function sanctionRefusal(rules: RulesSnapshot, userId: string, room: string, now: Date): PlainRefusal | undefined {
  const sanction = rules.sanction('ban', userId, room, now) ?? rules.sanction('mute', userId, room, now);
  if (!sanction) return undefined;
  const until = sanction.until.toISOString();
  if (sanction.kind === 'ban') {
    return { rule: 'banned', message: `You are banned from this room until ${until}: ${sanction.reason}` };
  }
  const who = sanction.actor === 'policy' ? 'You are muted' : 'A moderator muted you';
  return { rule: 'muted', message: `${who} in this room until ${until}: ${sanction.reason}` };
}

type Screen = (accepted: string) => Promise<PlainRefusal | undefined>;

/** Content Safety where configured, asked once per line however often the counters are decided again. */
function contentSafetyScreen(app: App, log: EventLog): Screen {
  const { contentSafety: settings } = app.settings;
  const client = app.contentSafety;
  if (!settings || !client) return async () => undefined;
  let screened: ReturnType<typeof screenText> | undefined;
  return async (accepted) => {
    screened ??= screenText(client, settings, accepted);
    const verdict = await screened;
    if (verdict.outcome === 'unavailable') {
      log.warn(`Content Safety unavailable, failing ${settings.failure}: ${verdict.error}`);
      if (verdict.allowed) return undefined;
      return { rule: 'ai-unavailable', message: 'Automatic content analysis is unavailable; try again shortly.' };
    }
    if (verdict.outcome === 'refused') {
      const message = `Your message was refused by automatic content analysis (${verdict.category}).`;
      return { rule: `ai:${verdict.category}`, message };
    }
    return undefined;
  };
}

interface DecisionInput {
  userId: string;
  room: string;
  now: Date;
  text: string;
  context: RoomContext;
  pace: UserPace;
  screen: Screen;
  /** The id the line gets if delivered, and whether it would reach its author alone. */
  line: { id: string; shadow: boolean };
}

/** The policy's verdict, or a refusal that leaves the counters as they were, with the strikes to tell. */
type Decision = { verdict: Verdict } | { refusal: PlainRefusal; strikes: number };

/**
 * The policy over the user's counters, then the screen for an accepted line; the new counters (with the line, as
 * the user's row keeps it) are written before anything is delivered, and a connection that lost the race decides
 * again on what the other wrote.
 */
async function decide(app: App, input: DecisionInput): Promise<Decision> {
  const { userId, room, now, text, context, screen, line } = input;
  let pace = input.pace;
  for (let attempt = 1; ; attempt++) {
    const { verdict, state } = app.moderator.moderate(text, pace.state, now.getTime(), context);
    const screenedOut = verdict.allowed ? await screen(verdict.text) : undefined;
    if (screenedOut) return { refusal: screenedOut, strikes: pace.state.strikes };
    if (await app.paces.write(userId, room, pace, state, keptLine(verdict, text, now, line))) return { verdict };
    if (attempt >= maxPaceAttempts) {
      const tooQuick = 'You are sending messages too quickly from several connections; try again.';
      return { refusal: { rule: 'rate', message: tooQuick }, strikes: pace.state.strikes };
    }
    pace = await app.paces.read(userId, room, true);
  }
}

/** The line as the user's row keeps it: what was delivered and how, or what was refused and by which rule. */
function keptLine(verdict: Verdict, text: string, now: Date, line: DecisionInput['line']): KeptLine {
  const ts = now.getTime();
  if (!verdict.allowed) return { ts, text, rule: verdict.rule };
  return {
    id: line.id,
    ts,
    text: verdict.text,
    ...(line.shadow ? { shadow: true } : verdict.flags ? { flags: verdict.flags } : {}),
  };
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
  app.insights.record({ kind: 'refused', room, rule: verdict.rule, userId });
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
