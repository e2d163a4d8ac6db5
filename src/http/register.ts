import type {
  HttpFunctionOptions,
  HttpMethod,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import { app as functionsApp } from '@azure/functions';
import type { App } from '../app.js';
import type { AppHandler } from './app-handler.js';
import { corsHeaders } from './cors.js';
import { errorResponse } from './responses.js';

export interface HttpFunctionDefinition {
  name: string;
  options: HttpFunctionOptions;
}

type Runtime = typeof import('../runtime.js');

let loading: Promise<Runtime> | undefined;
let loaded: Runtime | undefined;
/**
 * Loads the runtime once per process; a dynamic import per call would cost a module-loader round trip each time, and
 * once it is there, calls take it without awaiting.
 */
const loadRuntime = (): Promise<Runtime> => {
  loading ??= import('../runtime.js').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
};

/** One row of the registration table: a function's name, route, methods and the endpoint that serves it. */
export interface HttpFunctionEntry {
  name: string;
  route: string;
  methods: HttpMethod[];
  /** The endpoint's name in `src/runtime.ts`, which is loaded on the first call. */
  endpoint: keyof Runtime['endpoints'];
}

/** The response with `headers` added; the same object when there are none (most calls: no CORS origin). */
const withHeaders = (response: HttpResponseInit, headers: Record<string, string> | undefined): HttpResponseInit =>
  headers === undefined
    ? response
    : { ...response, headers: { ...(response.headers as Record<string, string> | undefined), ...headers } };

/**
 * Serves one request with `app`: CORS for allowed origins (and every preflight), then the endpoint, with every error
 * turned into a `{ code, message }` response. The registered functions call it with the process's app; in-process
 * tests with one over in-memory ports.
 */
export async function serve(
  endpoint: AppHandler,
  app: App,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const cors = corsHeaders(request.headers.get('origin'), app.settings.corsOrigins);
  try {
    // A CORS preflight is answered 204 whatever its origin, with CORS headers only for an allowed one, as the
    // platform's CORS answers it (ASP.NET Core's CorsMiddleware, dotnet/aspnetcore
    // src/Middleware/CORS/src/Infrastructure/CorsMiddleware.cs): the browser itself then refuses the real call.
    // Web PubSub's abuse-protection OPTIONS carries no Access-Control-Request-Method and reaches the handler.
    if (request.method === 'OPTIONS' && (cors || request.headers.has('access-control-request-method'))) {
      return { status: 204, headers: cors ?? {} };
    }
    return withHeaders(await endpoint(request, app, context), cors);
  } catch (error) {
    return withHeaders(errorResponse(error, context), cors);
  }
}

/**
 * Registers an HTTP function with the Functions host (and returns its definition for the local host). The runtime
 * is loaded on the first call; a setting that fails validation fails that call, not the host.
 */
export function registerHttpFunction({ name, route, methods, endpoint }: HttpFunctionEntry): HttpFunctionDefinition {
  const options: HttpFunctionOptions = {
    route,
    methods,
    authLevel: 'anonymous',
    handler: async (request, context) => {
      let app: App;
      let runtime: Runtime;
      try {
        runtime = loaded ?? (await loadRuntime());
        app = runtime.getApp();
      } catch (error) {
        return errorResponse(error, context);
      }
      return serve(runtime.endpoints[endpoint], app, request, context);
    },
  };
  functionsApp.http(name, options);
  return { name, options };
}
