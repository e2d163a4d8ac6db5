import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { HttpError } from '../errors.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store', ...headers } };
}

/** Maps any error to a response: HttpErrors speak for themselves; anything else is a logged 500 that leaks nothing. */
export function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof HttpError) {
    if (error.status >= 500) context.error(`${context.functionName}: ${error.message}`);
    return json(error.status, error.toJSON(), error.headers);
  }
  context.error(`${context.functionName}: unhandled error`, error);
  return json(500, { code: 'InternalServerError', message: 'Something went wrong; the error was logged.' });
}
