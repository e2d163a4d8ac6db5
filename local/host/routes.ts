import type { HttpFunctionOptions } from '@azure/functions';

export interface FunctionDefinition {
  name: string;
  options: HttpFunctionOptions;
}

export interface CompiledRoute {
  definition: FunctionDefinition;
  methods: ReadonlySet<string>;
  segments: readonly RouteSegment[];
}

export type RouteSegment =
  | { kind: 'literal'; value: string }
  | { kind: 'parameter'; name: string; optional: boolean }
  | { kind: 'catchAll'; name: string };

export type RouteMatch =
  | { kind: 'matched'; definition: FunctionDefinition; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allowed: string[] }
  | { kind: 'notFound' };

export class RouteTemplateError extends Error {
  override name = 'RouteTemplateError';
}

/** Two functions the Functions host would not both load; the local host refuses to start instead. */
export class RouteConflictError extends Error {
  override name = 'RouteConflictError';
}

/** `app.http` registers GET and POST when a function names no methods. */
const defaultMethods = ['GET', 'POST'];

/** Compiles the routes; throws a RouteConflictError where the Functions host would put a function in error. */
export function compileRoutes(definitions: readonly FunctionDefinition[]): CompiledRoute[] {
  assertHostWouldLoadAll(definitions);
  return definitions
    .map((definition) => ({
      definition,
      methods: methodsOf(definition),
      segments: parseRouteTemplate(routeOf(definition)),
    }))
    .sort((a, b) => compareRoutes(a.segments, b.segments));
}

const routeOf = (definition: FunctionDefinition): string => definition.options.route ?? definition.name;
const methodsOf = (definition: FunctionDefinition): ReadonlySet<string> =>
  new Set((definition.options.methods ?? defaultMethods).map((method) => method.toUpperCase()));

/**
 * The Functions host's own checks on HTTP routes, with its wording (Azure/azure-functions-host,
 * src/WebJobs.Script/Host/ScriptHost.cs: ValidateFunction, ValidateHttpFunction, HttpRoutesConflict; the message
 * prefix is ScriptHostLoggerExtension.FunctionError in src/WebJobs.Script/Diagnostics/Extensions/). The host compares
 * route templates as text (trimmed of '/', ignoring case), and two functions conflict when their methods intersect;
 * it loads the first and puts the later one in error, so in Azure it answers 404. Every problem is listed at once.
 */
function assertHostWouldLoadAll(definitions: readonly FunctionDefinition[]): void {
  const problems: string[] = [];
  const loaded: { name: string; route: string; methods: ReadonlySet<string> }[] = [];
  for (const definition of definitions) {
    const route = routeOf(definition)
      .replace(/^\/+|\/+$/g, '')
      .toLowerCase();
    const methods = methodsOf(definition);
    const inError = (reason: string) => problems.push(`The '${definition.name}' function is in error: ${reason}`);
    if (route.startsWith('admin') || route.startsWith('runtime')) {
      inError('The specified route conflicts with one or more built in routes.');
      continue;
    }
    const earlier = loaded.find((other) => other.route === route && methodsIntersect(methods, other.methods));
    if (earlier) {
      inError(`The route specified conflicts with the route defined by function '${earlier.name}'.`);
      continue;
    }
    loaded.push({ name: definition.name, route, methods });
  }
  if (problems.length > 0) throw new RouteConflictError(problems.join('\n'));
}

/** An empty list means every method to the host, so it meets any other. */
const methodsIntersect = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean =>
  a.size === 0 || b.size === 0 || [...a].some((method) => b.has(method));

/** Parses a Functions route template such as `moderate/bans/{userId}`, `rooms/{name?}` or `files/{*rest}`. */
export function parseRouteTemplate(template: string): RouteSegment[] {
  const parts = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean);
  return parts.map((part, index) => {
    const parameter = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(\?)?\}$/.exec(part);
    if (!parameter) {
      if (/[{}]/.test(part)) {
        throw new RouteTemplateError(
          `Unsupported route segment '${part}' in '${template}' (constraints and defaults are not supported).`,
        );
      }
      return { kind: 'literal', value: part.toLowerCase() };
    }
    const [, star, name = '', question] = parameter;
    const isLast = index === parts.length - 1;
    if ((star || question) && !isLast) {
      throw new RouteTemplateError(`'${part}' in '${template}' must be the last segment.`);
    }
    return star ? { kind: 'catchAll', name } : { kind: 'parameter', name, optional: Boolean(question) };
  });
}

/** Matches path segments (already split and percent-decoded, without the route prefix) against compiled routes. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathSegments: readonly string[],
): RouteMatch {
  // Every request walks the routes: lower-case the path once, and allocate only for the route that matches.
  const lowerSegments = pathSegments.map((segment) => segment.toLowerCase());
  const upperMethod = method.toUpperCase();
  let allowed: Set<string> | undefined;
  for (const route of routes) {
    const params = matchSegments(route.segments, pathSegments, lowerSegments);
    if (!params) continue;
    if (route.methods.has(upperMethod)) return { kind: 'matched', definition: route.definition, params };
    allowed ??= new Set();
    for (const allowedMethod of route.methods) allowed.add(allowedMethod);
  }
  return allowed ? { kind: 'methodNotAllowed', allowed: [...allowed] } : { kind: 'notFound' };
}

function matchSegments(
  segments: readonly RouteSegment[],
  path: readonly string[],
  lowerPath: readonly string[],
): Record<string, string> | undefined {
  // Literals first, without allocating: most routes fail on one of them.
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as RouteSegment;
    if (segment.kind === 'catchAll') break;
    if (segment.kind === 'literal' && lowerPath[index] !== segment.value) return undefined;
  }
  const params: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as RouteSegment;
    const value = path[index];
    if (segment.kind === 'catchAll') {
      const rest = path.slice(index).join('/');
      if (rest) params[segment.name] = rest;
      return params;
    }
    if (value === undefined) return segment.kind === 'parameter' && segment.optional ? params : undefined;
    if (segment.kind === 'parameter') params[segment.name] = value;
  }
  return path.length === segments.length ? params : undefined;
}

function compareRoutes(a: readonly RouteSegment[], b: readonly RouteSegment[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = rank(a[index]) - rank(b[index]);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Literal segments win over parameters, which win over optional ones and catch-alls (ASP.NET route precedence). */
function rank(segment: RouteSegment | undefined): number {
  if (!segment) return 2;
  if (segment.kind === 'literal') return 0;
  if (segment.kind === 'catchAll') return 3;
  return segment.optional ? 2 : 1;
}
