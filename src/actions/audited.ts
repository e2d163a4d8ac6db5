import type { App } from '../app.js';
import type { AuditEntry } from '../store/types.js';
import { type StepOutcome, WorkflowFailedError } from '../workflows/workflow-run.js';

type AuditDraft = Omit<AuditEntry, 'id' | 'at' | 'outcome' | 'steps' | 'error'>;

/**
 * Runs a workflow and records its real outcome in the audit log, failures included (with the steps that ran), so
 * nothing is lost and nothing is recorded as done that was not.
 */
export async function audited<T extends { steps: readonly StepOutcome[] }>(
  app: App,
  draft: AuditDraft,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const result = await run();
    await app.store.appendAudit({ ...draft, at: app.now(), outcome: 'succeeded', steps: result.steps });
    return result;
  } catch (error) {
    await app.store.appendAudit({
      ...draft,
      at: app.now(),
      outcome: 'failed',
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof WorkflowFailedError ? { steps: error.steps } : {}),
    });
    throw error;
  }
}
