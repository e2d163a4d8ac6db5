import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError, WorkflowRun } from '../../../src/workflows/workflow-run.js';

describe('WorkflowRun', () => {
  it("stops at a step the SDK failed, naming it, with the SDK's error as the cause", async () => {
    const run = new WorkflowRun('revoke-permission-and-evict');
    const sdkError = new RestError('Too many requests', { statusCode: 429 });
    const failed = await run
      .step('revokePermission', 204, () => Promise.reject(sdkError))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(failed).toMatchObject({
      status: 502,
      code: 'UpstreamStepFailed',
      stepId: 'revokePermission',
      cause: sdkError,
    });
    expect(run.steps).toEqual([
      { stepId: 'revokePermission', status: 429, succeeded: false, error: 'Too many requests' },
    ]);
  });

  it('fails a step whose status is not the expected one, without a cause', async () => {
    const run = new WorkflowRun('negotiate');
    const failed = await run
      .step('generateToken', 200, async (options) => {
        options.onResponse?.({ status: 201 } as never, undefined);
        return {};
      })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'UpstreamStepFailed', stepStatus: 201 });
    expect((failed as Error).cause).toBeUndefined();
  });
});
