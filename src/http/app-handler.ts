import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { App } from '../app.js';

/** An endpoint: the request and the process's app in, a response out (errors thrown as HttpErrors). */
export type AppHandler = (request: HttpRequest, app: App, context: InvocationContext) => Promise<HttpResponseInit>;
