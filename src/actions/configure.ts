import type { App } from '../app.js';
import type { AuditEntry } from '../store/types.js';

type AuditDraft = Omit<AuditEntry, 'id' | 'at' | 'outcome' | 'steps' | 'error'>;

/** Runs a moderator's action and audits its real outcome, failures included, before returning or rethrowing. */
export async function withAudit<T>(app: App, draft: AuditDraft, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    await app.store.appendAudit({ ...draft, at: app.now(), outcome: 'succeeded' });
    return result;
  } catch (error) {
    await app.store.appendAudit({
      ...draft,
      at: app.now(),
      outcome: 'failed',
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

/**
 * Applies a change to what the event handler enforces (rules, room settings, sanctions): writes it, then bumps the
 * configuration version so every instance's rules cache reloads within its TTL (this one at once), and audits it.
 */
export function changeConfiguration<T>(app: App, draft: AuditDraft, write: () => Promise<T>): Promise<T> {
  return withAudit(app, draft, async () => {
    const result = await write();
    await app.store.bumpConfigVersion();
    app.rules.invalidate();
    return result;
  });
}
