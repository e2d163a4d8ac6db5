import type { App } from '../app.js';
import type { AuditEntry } from '../store/types.js';
import { type StepOutcome, WorkflowFailedError } from '../workflows/workflow-run.js';

export type AuditDraft = Omit<AuditEntry, 'id' | 'at' | 'outcome' | 'steps' | 'error'>;

/** The steps a workflow result carries, if it is one. */
function stepsOf(value: unknown): readonly StepOutcome[] | undefined {
  const steps = typeof value === 'object' && value !== null ? (value as { steps?: unknown }).steps : undefined;
  return Array.isArray(steps) ? (steps as StepOutcome[]) : undefined;
}

/**
 * Runs an action (a workflow, or a moderator's change) and records its real outcome in the audit log, failures
 * included, with the steps a workflow ran: nothing is lost and nothing is recorded as done that was not.
 */
export async function audited<T>(app: App, draft: AuditDraft, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    const steps = stepsOf(result);
    await app.store.appendAudit({ ...draft, at: app.now(), outcome: 'succeeded', ...(steps ? { steps } : {}) });
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
