/** Every code an error response of the app can carry (the README's HTTP API table lists where each comes from). */
export type ErrorCode =
  // 400
  | 'InvalidBody'
  | 'InvalidJson'
  | 'InvalidQuery'
  | 'InvalidRoom'
  | 'InvalidUserId'
  | 'InvalidQueueId'
  | 'InvalidRuleId'
  | 'InvalidCloudEvent'
  | 'InvalidConnectionState'
  | 'EventTooLarge'
  | 'UnknownHub'
  | 'UnknownEvent'
  | 'UnsafePattern'
  | 'TooManyRules'
  | 'RoomRequired'
  // 401
  | 'Unauthorized'
  | 'InvalidPrincipal'
  | 'MissingToken'
  | 'InvalidToken'
  | 'UnexpectedPrincipal'
  | 'InvalidSignature'
  | 'StaleEvent'
  | 'NoUser'
  // 403
  | 'RoleRequired'
  | 'TooManyConnections'
  | 'Banned'
  | 'BannedFromRoom'
  | 'OriginNotAllowed'
  // 404
  | 'TargetNotFound'
  | 'NotBanned'
  | 'NotMuted'
  | 'NotShadowBanned'
  | 'RuleNotFound'
  | 'QueueItemNotFound'
  // 413, 415
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  // 5xx
  | 'UpstreamStepFailed'
  | 'UpstreamCallFailed'
  | 'InternalServerError';

/** Errors that know their HTTP status and the JSON body callers see: `{ code, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, code: ErrorCode, options?: ErrorOptions) {
    super(400, code, message, {}, options);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Sign in first.', code: ErrorCode = 'Unauthorized', options?: ErrorOptions) {
    super(401, code, message, {}, options);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string, code: ErrorCode, options?: ErrorOptions) {
    super(403, code, message, {}, options);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string, code: ErrorCode, options?: ErrorOptions) {
    super(404, code, message, {}, options);
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
    options?: ErrorOptions,
  ) {
    // A target that no longer exists is the caller's 404; anything else is the service failing us (502).
    super(
      stepStatus === 404 ? 404 : 502,
      stepStatus === 404 ? 'TargetNotFound' : 'UpstreamStepFailed',
      `${workflowId}/${stepId} failed${stepStatus ? ` with status ${stepStatus}` : ''}: ${detail}`,
      {},
      options,
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
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContentSafetyUnavailableError';
  }
}
