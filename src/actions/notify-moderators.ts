import type { App } from '../app.js';
import type { QueueChangedNotice } from '../contracts.js';

/**
 * The moderators' consoles: a group no room can be (room names start with a letter or digit), which a connection
 * joins only through a token that `negotiate` issues to the moderator role; chatters can neither join nor send to
 * groups themselves.
 */
export const moderatorsGroup = '~moderators';

/**
 * Tells the consoles the queue changed. Best effort: the consoles also poll, so a failed send is logged and the
 * caller's work stands.
 */
export async function notifyModerators(app: App, notice: QueueChangedNotice): Promise<void> {
  try {
    await app.webPubSub.group(moderatorsGroup).sendToAll(notice);
  } catch (error) {
    console.warn(`Moderators not told of queue item ${notice.id} (${notice.change}): ${String(error)}`);
  }
}
