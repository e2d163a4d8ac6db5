import type { App } from '../app.js';
import type { DeletedNotice } from '../contracts.js';
import { NotFoundError } from '../errors.js';
import { audited } from './audited.js';
import { notifyModerators } from './notify-moderators.js';
import { imposeSanction } from './sanction.js';

export interface QueueDecisionInput {
  /** `<room>.<messageId>`. */
  id: string;
  action: 'dismiss' | 'delete' | 'mute' | 'ban';
  minutes?: number | undefined;
  reason?: string | undefined;
  /** For `ban`: the room the message was in, or the whole app. */
  scope: 'room' | 'app';
  /** The moderator's user id. */
  actor: string;
}

/**
 * A moderator's decision on a queued line: dismiss it, delete the message for everyone (a `deleted` notice to the
 * room), or mute or ban its author; the item leaves the queue. Answers when a mute or ban ends.
 */
export async function reviewQueueItem(app: App, decision: QueueDecisionInput): Promise<Date | undefined> {
  const until = await decide(app, decision);
  const room = decision.id.slice(0, decision.id.indexOf('.'));
  await notifyModerators(app, { type: 'queue-changed', change: 'decided', id: decision.id, room });
  return until;
}

async function decide(app: App, decision: QueueDecisionInput): Promise<Date | undefined> {
  const { id } = decision;
  const item = await app.messages.getQueueItem(id);
  if (!item) throw new NotFoundError(`There is no queue item '${id}'.`, 'QueueItemNotFound');
  const reason = decision.reason ?? `Reviewed message ${item.messageId}`;
  const draft = {
    actor: decision.actor,
    target: item.from,
    room: item.room,
    reason,
    ...(item.rules[0] ? { rule: item.rules[0] } : item.reports.length > 0 ? { rule: 'report' } : {}),
  };
  switch (decision.action) {
    case 'dismiss':
      await audited(app, { ...draft, action: 'dismiss' }, () => app.messages.deleteQueueItem(id));
      return undefined;
    case 'delete':
      await audited(app, { ...draft, action: 'delete-message' }, async () => {
        await app.webPubSub
          .group(item.room)
          .sendToAll({ type: 'deleted', id: item.messageId, room: item.room } satisfies DeletedNotice);
        await app.messages.deleteMessage(item.room, item.messageId);
        await app.messages.deleteQueueItem(id);
      });
      return undefined;
    default: {
      const sanction = await imposeSanction(app, {
        kind: decision.action,
        userId: item.from,
        room: decision.action === 'ban' && decision.scope === 'app' ? undefined : item.room,
        minutes: decision.minutes ?? (decision.action === 'mute' ? 10 : 60),
        reason,
        actor: decision.actor,
      });
      await app.messages.deleteQueueItem(id);
      return sanction.until;
    }
  }
}
