import type { HttpFunctionOptions } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
  compileRoutes,
  matchRoute,
  parseRouteTemplate,
  RouteConflictError,
  RouteTemplateError,
} from '../../../local/host/routes.js';
import { startFunctionsHost } from '../../../local/host/server.js';

const definition = (name: string, options: Partial<HttpFunctionOptions> = {}) => ({
  name,
  options: { handler: () => ({}), ...options },
});
const match = (routes: ReturnType<typeof compileRoutes>, method: string, path: string) =>
  matchRoute(routes, method, path.split('/').filter(Boolean));

describe('parseRouteTemplate', () => {
  it('parses literals, parameters, optional parameters and catch-alls', () => {
    expect(parseRouteTemplate('/Moderate/bans/{userId}')).toEqual([
      { kind: 'literal', value: 'moderate' },
      { kind: 'literal', value: 'bans' },
      { kind: 'parameter', name: 'userId', optional: false },
    ]);
    expect(parseRouteTemplate('rooms/{name?}')[1]).toEqual({ kind: 'parameter', name: 'name', optional: true });
    expect(parseRouteTemplate('files/{*rest}')[1]).toEqual({ kind: 'catchAll', name: 'rest' });
  });

  it('rejects what it does not support instead of matching it wrongly', () => {
    expect(() => parseRouteTemplate('items/{id:int}')).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate('files/{*rest}/more')).toThrow(/last segment/);
    expect(() => parseRouteTemplate('a/{b?}/c')).toThrow(/last segment/);
  });
});

describe('matchRoute', () => {
  const routes = compileRoutes([
    definition('byUser', { methods: ['GET', 'DELETE'], route: 'moderate/bans/{userId}' }),
    definition('mine', { methods: ['GET'], route: 'moderate/bans/mine' }),
    definition('rooms', { methods: ['GET'], route: 'rooms/{name?}' }),
    definition('files', { methods: ['GET'], route: 'files/{*rest}' }),
    definition('health'),
  ]);

  it('prefers literal segments over parameters whatever the registration order', () => {
    expect(match(routes, 'GET', 'moderate/bans/mine')).toMatchObject({ kind: 'matched', definition: { name: 'mine' } });
    expect(match(routes, 'get', 'Moderate/BANS/alice')).toEqual({
      kind: 'matched',
      definition: expect.objectContaining({ name: 'byUser' }),
      params: { userId: 'alice' },
    });
  });

  it('handles optional parameters and catch-alls', () => {
    expect(match(routes, 'GET', 'rooms')).toMatchObject({ kind: 'matched', params: {} });
    expect(match(routes, 'GET', 'rooms/lobby')).toMatchObject({ kind: 'matched', params: { name: 'lobby' } });
    expect(match(routes, 'GET', 'files/a/b/c.txt')).toMatchObject({ kind: 'matched', params: { rest: 'a/b/c.txt' } });
    expect(match(routes, 'GET', 'files')).toMatchObject({ kind: 'matched', params: {} });
  });

  it('defaults the route to the function name and the methods to GET and POST', () => {
    expect(match(routes, 'POST', 'health')).toMatchObject({ kind: 'matched', definition: { name: 'health' } });
    expect(match(routes, 'PUT', 'health')).toEqual({ kind: 'methodNotAllowed', allowed: ['GET', 'POST'] });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(match(routes, 'POST', 'moderate/bans/alice')).toEqual({
      kind: 'methodNotAllowed',
      allowed: ['GET', 'DELETE'],
    });
    expect(match(routes, 'GET', 'moderate/bans/alice/extra')).toEqual({ kind: 'notFound' });
    expect(match(routes, 'GET', 'nothing')).toEqual({ kind: 'notFound' });
  });
});

describe('route conflicts, refused as the Functions host refuses them', () => {
  // The host's wording (Azure/azure-functions-host, src/WebJobs.Script/Host/ScriptHost.cs and
  // src/WebJobs.Script/Diagnostics/Extensions/ScriptHostLoggerExtension.cs).
  const conflict = (name: string, other: string) =>
    `The '${name}' function is in error: The route specified conflicts with the route defined by function '${other}'.`;

  it('refuses two functions on one route with a common method, naming the one the host would put in error', () => {
    const pair = [
      definition('listBans', { methods: ['GET', 'OPTIONS'], route: 'moderate/bans' }),
      definition('ban', { methods: ['POST', 'OPTIONS'], route: 'moderate/bans' }),
    ];
    expect(() => compileRoutes(pair)).toThrow(RouteConflictError);
    expect(() => compileRoutes(pair)).toThrow(conflict('ban', 'listBans'));
  });

  it('compares templates as the host does: as text, ignoring case and outer slashes; no methods means GET and POST', () => {
    expect(() =>
      compileRoutes([
        definition('a', { methods: ['PUT'], route: '/Items/' }),
        definition('b', { methods: ['PUT'], route: 'items' }),
      ]),
    ).toThrow(conflict('b', 'a'));
    expect(() =>
      compileRoutes([definition('health'), definition('b', { methods: ['POST'], route: 'health' })]),
    ).toThrow(conflict('b', 'health'));
    // Different parameter names are different text to the host.
    expect(() =>
      compileRoutes([
        definition('a', { methods: ['GET'], route: 'items/{id}' }),
        definition('b', { methods: ['GET'], route: 'items/{name}' }),
      ]),
    ).not.toThrow();
  });

  it('accepts one route shared by functions with different methods', () => {
    const routes = compileRoutes([
      definition('list', { methods: ['GET', 'OPTIONS'], route: 'moderate/bans' }),
      definition('add', { methods: ['POST'], route: 'moderate/bans' }),
    ]);
    expect(match(routes, 'POST', 'moderate/bans')).toMatchObject({ kind: 'matched', definition: { name: 'add' } });
    expect(match(routes, 'OPTIONS', 'moderate/bans')).toMatchObject({ kind: 'matched', definition: { name: 'list' } });
  });

  it("refuses routes in the host's own admin and runtime space, and lists every problem at once", () => {
    expect(() =>
      compileRoutes([
        definition('seed', { route: 'admin/seed' }),
        definition('first', { methods: ['GET'], route: 'x' }),
        definition('second', { methods: ['GET'], route: 'x' }),
      ]),
    ).toThrow(
      [
        "The 'seed' function is in error: The specified route conflicts with one or more built in routes.",
        conflict('second', 'first'),
      ].join('\n'),
    );
  });

  it('keeps the local host from starting on such a pair', async () => {
    const definitions = [
      definition('listBans', { methods: ['GET', 'OPTIONS'], route: 'moderate/bans' }),
      definition('ban', { methods: ['POST', 'OPTIONS'], route: 'moderate/bans' }),
    ];
    await expect(startFunctionsHost({ definitions, log: () => {} })).rejects.toThrow(conflict('ban', 'listBans'));
  });
});
