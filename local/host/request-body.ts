import type { IncomingMessage } from 'node:http';

/**
 * The Functions host's default cap on a request body, 100 MiB: `ScriptConstants.DefaultMaxRequestBodySize =
 * 104857600`, set as Kestrel's `MaxRequestBodySize` in `src/WebJobs.Script.WebHost/Program.cs`, and replaced by the
 * `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` app setting (`Middleware/HttpRequestBodySizeMiddleware.cs`), all in
 * Azure/azure-functions-host. Kestrel answers a larger body 413.
 */
export const defaultMaxRequestBodyBytes = 104_857_600;

/** The body is over the host's limit: the host answers 413 and stops reading. */
export class RequestBodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is over the host's limit of ${limit} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

/**
 * A request's body, at most `limit` bytes: a larger declared `content-length` is refused before a byte is read, and a
 * chunked body as soon as it passes the limit, so an endless upload cannot grow the host's memory.
 */
export async function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(request.headers['content-length'] ?? 0) > limit) throw new RequestBodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request) {
    received += (chunk as Buffer).length;
    if (received > limit) throw new RequestBodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
