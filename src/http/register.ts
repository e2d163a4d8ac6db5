import type {
  HttpFunctionOptions,
  HttpHandler,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import { app as functionsApp } from '@azure/functions';
import { type App, getApp } from '../app.js';
import { corsHeaders } from './cors.js';
import { errorResponse } from './responses.js';

export interface HttpFunctionDefinition {
  name: string;
  options: HttpFunctionOptions;
}

export type AppHandler = (request: HttpRequest, context: InvocationContext, app: App) => Promise<HttpResponseInit>;

/** Wraps a handler: the app context, CORS, and errors turned into `{ code, message }` responses. */
export function withApp(handler: AppHandler): HttpHandler {
  return async (request, context) => {
    let cors: Record<string, string> = {};
    try {
      const app = getApp();
      cors = corsHeaders(request.headers.get('origin'), app.settings.corsOrigins);
      if (request.method === 'OPTIONS' && cors['access-control-allow-origin']) return { status: 204, headers: cors };
      const response = await handler(request, context, app);
      return { ...response, headers: { ...(response.headers as Record<string, string>), ...cors } };
    } catch (error) {
      const response = errorResponse(error, context);
      return { ...response, headers: { ...(response.headers as Record<string, string>), ...cors } };
    }
  };
}

/** Registers an HTTP function with the Functions host and returns its definition for the local host. */
export function registerHttpFunction(name: string, options: HttpFunctionOptions): HttpFunctionDefinition {
  functionsApp.http(name, options);
  return { name, options };
}
