import type { App } from '../app.js';
import { type AuditDraft, audited } from './audited.js';

/**
 * Applies a change to what the event handler enforces (rules, room settings, sanctions): writes it, then bumps the
 * configuration version so every instance's rules cache reloads within its TTL (this one at once), then runs what
 * must happen at once (`effect`: a ban closes connections), and audits it all. The bump comes before the effect, so
 * a failed effect leaves a change every instance applies, recorded as failed with its error.
 */
export function changeConfiguration<T>(
  app: App,
  draft: AuditDraft,
  write: () => Promise<T>,
  effect?: (written: T) => Promise<void>,
): Promise<T> {
  return audited(app, draft, async () => {
    const result = await write();
    await app.configuration.bumpConfigVersion();
    app.rules.invalidate();
    await effect?.(result);
    return result;
  });
}
