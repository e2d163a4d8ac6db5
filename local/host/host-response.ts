/** A response the host produces itself (auth endpoints, static files, routing errors), as opposed to a function's. */
export interface HostResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): HostResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
