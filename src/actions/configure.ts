import type { App } from '../app.js';
import { type AuditDraft, audited } from './audited.js';

/**
 * Applies a change to what the event handler enforces (rules, room settings, sanctions): writes it, then bumps the
 * configuration version so every instance's rules cache reloads within its TTL (this one at once), and audits it.
 */
export function changeConfiguration<T>(app: App, draft: AuditDraft, write: () => Promise<T>): Promise<T> {
  return audited(app, draft, async () => {
    const result = await write();
    await app.store.bumpConfigVersion();
    app.rules.invalidate();
    return result;
  });
}
