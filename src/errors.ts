/** Errors that know their HTTP status and the JSON body callers see: `{ code, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, code = 'BadRequest') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Sign in first.', code = 'Unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string, code = 'Forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string, code = 'NotFound') {
    super(404, code, message);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, 'UnsupportedMediaType', message);
  }
}

/** A step of an Arazzo workflow did not meet its success criteria. */
export class WorkflowStepError extends HttpError {
  constructor(
    readonly workflowId: string,
    readonly stepId: string,
    readonly stepStatus: number | undefined,
    readonly detail: string,
  ) {
    // A target that no longer exists is the caller's 404; anything else is the service failing us (502).
    super(
      stepStatus === 404 ? 404 : 502,
      stepStatus === 404 ? 'TargetNotFound' : 'UpstreamStepFailed',
      `${workflowId}/${stepId} failed${stepStatus ? ` with status ${stepStatus}` : ''}: ${detail}`,
    );
  }
}

/** Settings that fail validation; lists every problem at once. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Azure AI Content Safety did not answer usably (timeout, error status, unknown shape, no token). */
export class ContentSafetyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentSafetyUnavailableError';
  }
}
