import type { HttpFunctionOptions } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute, parseRouteTemplate, RouteTemplateError } from '../../../local/host/routes.js';

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
