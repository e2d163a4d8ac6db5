import type { IncomingMessage } from 'node:http';
import type { Hub } from '../store/hub.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One REST call, resolved to its route. */
export interface RestCall {
  request: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  /** The hub named in the path (absent only for /api/health). */
  hub: Hub;
  /** scheme://host as the caller addressed the emulator. */
  origin: string;
}

export interface RestResult {
  status: number;
  body?: unknown;
}

export type Operation = (call: RestCall) => RestResult | Promise<RestResult>;

export interface Route {
  method: HttpMethod;
  segments: string[];
  operation: Operation;
  anonymous: boolean;
}

export function route(method: HttpMethod, template: string, operation: Operation, anonymous = false): Route {
  return { method, segments: template.split('/').slice(1), operation, anonymous };
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { error: 'not-found' | 'bad-encoding' };

/** Matches a raw path against the templates; `{name}` segments are percent-decoded. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').slice(1);
  for (const candidate of routes) {
    if (candidate.method !== method || candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let index = 0; index < segments.length && matched; index++) {
      const expected = candidate.segments[index] as string;
      const actual = segments[index] as string;
      if (expected.startsWith('{')) {
        try {
          params[expected.slice(1, -1)] = decodeURIComponent(actual);
        } catch {
          return { error: 'bad-encoding' };
        }
        matched = actual.length > 0;
      } else {
        matched = expected === actual;
      }
    }
    if (matched) return { route: candidate, params };
  }
  return { error: 'not-found' };
}
