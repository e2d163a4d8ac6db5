import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { HttpError } from '../errors.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store', ...headers } };
}

/**
 * The Azure SDK's `RestError`, known by its name as the SDK's own `isRestError` knows it: importing that would put
 * the whole HTTP pipeline into the registrations bundle every cold start loads (83 → 111 KB).
 */
function isAzureServiceError(error: unknown): error is Error & { statusCode?: number } {
  return error instanceof Error && error.name === 'RestError';
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
  if (isAzureServiceError(error)) {
    context.error(`${context.functionName}: an Azure service call failed`, error);
    const status = error.statusCode ?? 'no answer';
    return json(502, {
      code: 'UpstreamCallFailed',
      message: `An Azure service call failed (${status}); the error was logged.`,
    });
  }
  context.error(`${context.functionName}: unhandled error`, error);
  return json(500, { code: 'InternalServerError', message: 'Something went wrong; the error was logged.' });
}
