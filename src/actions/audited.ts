import type { App } from '../app.js';
import type { AuditEntry } from '../store/types.js';
import { type StepOutcome, WorkflowFailedError } from '../workflows/workflow-run.js';

export type AuditDraft = Omit<AuditEntry, 'id' | 'at' | 'outcome' | 'steps' | 'error'>;

/** Pauses before the second and third attempt of an audit write. */
const auditRetryDelaysMs = [100, 400];

/** The steps a workflow result carries, if it is one. */
function stepsOf(value: unknown): readonly StepOutcome[] | undefined {
  const steps = typeof value === 'object' && value !== null ? (value as { steps?: unknown }).steps : undefined;
  return Array.isArray(steps) ? (steps as StepOutcome[]) : undefined;
}

/**
 * Appends an audit entry, trying again on failure; never throws. An entry that cannot be written after the last try
 * is logged whole, so it is not lost, and the action it records keeps its own outcome: a failed audit write neither
 * turns a done action into a failure nor hides the error of a failed one.
 */
export async function recordAudit(app: App, entry: Omit<AuditEntry, 'id'>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await app.audit.appendAudit(entry);
      return;
    } catch (error) {
      const delay = auditRetryDelaysMs[attempt];
      if (delay === undefined) {
        console.error(`Audit write failed after ${attempt + 1} attempts; the entry: ${JSON.stringify(entry)}`, error);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Runs an action (a workflow, or a moderator's change) and records its real outcome in the audit log, failures
 * included, with the steps a workflow ran: nothing is lost and nothing is recorded as done that was not.
 */
export async function audited<T>(app: App, draft: AuditDraft, run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await recordAudit(app, {
      ...draft,
      at: app.now(),
      outcome: 'failed',
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof WorkflowFailedError ? { steps: error.steps } : {}),
    });
    throw error;
  }
  const steps = stepsOf(result);
  await recordAudit(app, { ...draft, at: app.now(), outcome: 'succeeded', ...(steps ? { steps } : {}) });
  return result;
}
