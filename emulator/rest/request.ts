import type { IncomingMessage } from 'node:http';
import { wireErrors } from '../errors.js';
import { type DataType, dataTypeOfContentType } from '../protocol/outbound-message.js';

/** The service accepts messages up to 1 MB. */
const maxBodyBytes = 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > maxBodyBytes) throw wireErrors.payloadTooLarge(maxBodyBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length);
}

export interface MessageBody {
  dataType: DataType;
  payload: Buffer;
}

/** A send body: text/plain, application/json (must parse) or application/octet-stream; anything else is 415. */
export async function readMessageBody(request: IncomingMessage): Promise<MessageBody> {
  const contentType = request.headers['content-type'];
  const dataType = dataTypeOfContentType(contentType);
  if (!dataType) throw wireErrors.unsupportedMediaType(contentType);
  const payload = await readBody(request);
  if (dataType === 'json') parseJson(payload);
  return { dataType, payload };
}

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const contentType = request.headers['content-type'];
  if (dataTypeOfContentType(contentType) !== 'json') throw wireErrors.unsupportedMediaType(contentType);
  return parseJson(await readBody(request));
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw wireErrors.badRequest('The body is not valid JSON.');
  }
}

/** Integer query parameter within bounds; undefined when absent. */
export function integerQuery(url: URL, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw wireErrors.badRequest(`Query parameter '${name}' must be an integer from ${min} to ${max}.`, name);
  }
  return value;
}

/** Versions are dates; the emulator speaks 2021-10-01 through 2024-12-01. */
export const supportedApiVersions = ['2021-10-01', '2022-11-01', '2023-07-01', '2024-01-01', '2024-12-01'];
const oldestApiVersion = '2021-10-01';
const newestApiVersion = '2024-12-01';

export function checkApiVersion(url: URL): void {
  const version = url.searchParams.get('api-version');
  const valid =
    version !== null &&
    /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version) &&
    version.slice(0, 10) >= oldestApiVersion &&
    version.slice(0, 10) <= newestApiVersion;
  if (!valid) throw wireErrors.invalidApiVersion(version);
}
