import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { BadRequestError, type ErrorCode, HttpError, UnsupportedMediaTypeError } from '../errors.js';

const maxBodyBytes = 64 * 1024;

/** Describes zod issues as one sentence that names each offending field; `whole` names the value itself. */
export function describeIssues(error: z.ZodError, whole = 'body'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || whole}: ${issue.message}`).join('; ');
}

/** Validates `value`; a failure is a 400 `code` naming each offending field (`whole` for the value itself). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: ErrorCode = 'InvalidBody', whole = 'body'): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error, whole), code);
  return parsed.data;
}

/** Reads a JSON body and validates it; every failure is a 4xx that says what was wrong. */
export async function readJsonBody<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<T> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('Send the body as application/json.');
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBodyBytes) {
    throw new HttpError(413, 'PayloadTooLarge', `The body is over ${maxBodyBytes} bytes.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new BadRequestError('The body is not valid JSON.', 'InvalidJson', { cause: error });
  }
  return parseWith(schema, value);
}
