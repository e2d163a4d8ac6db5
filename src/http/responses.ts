import { isRestError } from '@azure/core-rest-pipeline';
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { HttpError } from '../errors.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store', ...headers } };
}

/**
 * Maps any error to a response: HttpErrors speak for themselves; an Azure service call that failed outside a workflow
 * (Web PubSub, Table Storage) is a logged 502; anything else is a logged 500. Neither leaks details.
 */
export function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof HttpError) {
    if (error.status >= 500) context.error(`${context.functionName}: ${error.message}`);
    return json(error.status, error.toJSON(), error.headers);
  }
  if (isRestError(error)) {
    context.error(`${context.functionName}: an Azure service call failed`, error);
    const status = error.statusCode ?? 'no answer';
    return json(502, {
      code: 'UpstreamCallFailed',
      message: `An Azure service call failed (${status}); the error was logged. Retrying is safe.`,
    });
  }
  context.error(`${context.functionName}: unhandled error`, error);
  return json(500, { code: 'InternalServerError', message: 'Something went wrong; the error was logged.' });
}
