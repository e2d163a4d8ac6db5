import type { OperationOptions } from '@azure/core-client';
import { isRestError } from '@azure/core-rest-pipeline';
import { WorkflowStepError } from '../errors.js';

export interface StepOutcome {
  stepId: string;
  status: number | undefined;
  succeeded: boolean;
  error?: string;
}

/** A step failed; carries every step's outcome so far so the audit log can say exactly what happened. */
export class WorkflowFailedError extends WorkflowStepError {
  constructor(
    workflowId: string,
    failed: StepOutcome,
    readonly steps: readonly StepOutcome[],
    options?: ErrorOptions,
  ) {
    super(workflowId, failed.stepId, failed.status, failed.error ?? 'unexpected status', options);
  }
}

/**
 * Runs the steps of one Arazzo workflow in order. Each step is one SDK call whose HTTP status is checked against
 * the step's success criterion (`$statusCode == N`); the first failure stops the workflow.
 */
export class WorkflowRun {
  readonly steps: StepOutcome[] = [];

  constructor(readonly workflowId: string) {}

  async step<T>(
    stepId: string,
    expectedStatus: number,
    call: (options: OperationOptions) => Promise<T>,
  ): Promise<{ status: number; value: T }> {
    let status: number | undefined;
    const options: OperationOptions = {
      onResponse: (response) => {
        status = response.status;
      },
    };
    try {
      const value = await call(options);
      if (status === expectedStatus) {
        this.steps.push({ stepId, status, succeeded: true });
        return { status, value };
      }
      this.fail({ stepId, status, succeeded: false, error: `expected status ${expectedStatus}` });
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw error;
      const restStatus = isRestError(error) ? error.statusCode : undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.fail({ stepId, status: restStatus ?? status, succeeded: false, error: message.slice(0, 300) }, error);
    }
  }

  /** Ends the workflow at this step; the SDK's error, if one was raised, stays the cause. */
  private fail(outcome: StepOutcome, cause?: unknown): never {
    this.steps.push(outcome);
    throw new WorkflowFailedError(this.workflowId, outcome, this.steps, cause === undefined ? undefined : { cause });
  }
}
