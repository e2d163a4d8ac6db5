import { RestError } from '@azure/core-rest-pipeline';
import functions from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/errors.js';
import { errorResponse } from '../../../src/http/responses.js';

function contextWithLog() {
  const logged: unknown[][] = [];
  const context = new functions.InvocationContext({ functionName: 'moderateBan' });
  context.error = (...args: unknown[]) => void logged.push(args);
  return { context, logged };
}

describe('errorResponse', () => {
  it('lets an HttpError speak for itself, unlogged when it is the caller’s', () => {
    const { context, logged } = contextWithLog();
    const response = errorResponse(new BadRequestError('userId: required', 'InvalidBody'), context);
    expect(response).toMatchObject({ status: 400, jsonBody: { code: 'InvalidBody', message: 'userId: required' } });
    expect(logged).toEqual([]);
  });

  it('answers a failed Azure service call with a logged 502 that names no URL or detail', () => {
    const { context, logged } = contextWithLog();
    const failure = new RestError('Service Unavailable at https://chat.webpubsub.azure.com/api/hubs/chat/users/u', {
      statusCode: 503,
    });
    const response = errorResponse(failure, context);
    expect(response).toMatchObject({ status: 502, jsonBody: { code: 'UpstreamCallFailed' } });
    expect(JSON.stringify(response.jsonBody)).toContain('503');
    expect(JSON.stringify(response.jsonBody)).not.toContain('webpubsub.azure.com');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.[1]).toBe(failure);
  });

  it('answers anything else with a logged 500 that leaks nothing', () => {
    const { context, logged } = contextWithLog();
    const response = errorResponse(new TypeError('secret detail'), context);
    expect(response).toMatchObject({ status: 500, jsonBody: { code: 'InternalServerError' } });
    expect(JSON.stringify(response.jsonBody)).not.toContain('secret');
    expect(logged).toHaveLength(1);
  });
});
