import type { EventHandlerSettings } from '../hub-settings.js';
import { cloudEventHeaders, type UpstreamConnectionContext } from './cloud-events.js';
import { expandUrlTemplate, type UpstreamEvent } from './event-handlers.js';

export interface UpstreamClientOptions {
  accessKeys: readonly string[];
  /** The emulator's host name, sent as `WebHook-Request-Origin`. */
  origin: string;
  getUpstreamToken?: ((resource: string) => Promise<string>) | undefined;
  timeoutMs?: number;
}

export interface UpstreamRequest {
  handler: EventHandlerSettings;
  hub: string;
  event: UpstreamEvent;
  connection: UpstreamConnectionContext;
  body: Buffer | string;
  contentType: string;
}

export interface UpstreamReply {
  status: number;
  body: Buffer;
  contentType: string | undefined;
  /** The `ce-connectionState` response header, when the handler set one. */
  connectionState: string | undefined;
}

/** The upstream could not be reached, refused abuse protection, or its token could not be obtained. */
export class UpstreamUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UpstreamUnavailableError';
  }
}

/** A JWT's `exp` in epoch ms; 0 (refetch every time) when it cannot be read. */
function tokenExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/** Posts CloudEvents to event handlers, running the abuse-protection handshake once per URL. */
export class UpstreamClient {
  private readonly tokens = new Map<string, { token: string; refreshAt: number }>();
  /** Validated (or in-flight) abuse-protection checks by URL; failures are forgotten so they are retried. */
  private readonly validations = new Map<string, Promise<void>>();
  private readonly timeoutMs: number;

  constructor(private readonly options: UpstreamClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async send(request: UpstreamRequest): Promise<UpstreamReply> {
    const url = expandUrlTemplate(request.handler.urlTemplate, request.hub.toLowerCase(), request.event.name);
    await this.validate(url);
    const headers = cloudEventHeaders({
      hub: request.hub,
      event: request.event,
      connection: request.connection,
      accessKeys: this.options.accessKeys,
      origin: this.options.origin,
      contentType: request.contentType,
    });
    const auth = request.handler.auth;
    if (auth?.type === 'ManagedIdentity') headers.authorization = `Bearer ${await this.upstreamToken(auth.resource)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: typeof request.body === 'string' ? request.body : Uint8Array.from(request.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UpstreamUnavailableError(`Upstream ${url} is unreachable.`, { cause: error });
    }
    const body = Buffer.from(await response.arrayBuffer());
    return {
      status: response.status,
      body,
      contentType: response.headers.get('content-type') ?? undefined,
      connectionState: response.headers.get('ce-connectionState') ?? undefined,
    };
  }

  private validate(url: string): Promise<void> {
    let validation = this.validations.get(url);
    if (!validation) {
      validation = this.abuseProtection(url);
      this.validations.set(url, validation);
      validation.catch(() => this.validations.delete(url));
    }
    return validation;
  }

  private async abuseProtection(url: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'OPTIONS',
        // web-pubsub-express answers the preflight only when ce-awpsversion is present.
        headers: { 'webhook-request-origin': this.options.origin, 'ce-awpsversion': '1.0' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
    } catch (error) {
      throw new UpstreamUnavailableError(`Upstream ${url} is unreachable.`, { cause: error });
    }
    const allowed = (response.headers.get('webhook-allowed-origin') ?? '')
      .split(',')
      .map((origin) => origin.trim().toLowerCase());
    if (!response.ok || !(allowed.includes('*') || allowed.includes(this.options.origin.toLowerCase()))) {
      throw new UpstreamUnavailableError(`Upstream ${url} did not allow origin ${this.options.origin}.`);
    }
  }

  /** Like the service, reuses a resource's token until five minutes before it expires. */
  private async upstreamToken(resource: string): Promise<string> {
    const getToken = this.options.getUpstreamToken;
    if (!getToken) {
      throw new UpstreamUnavailableError('A ManagedIdentity event handler needs the getUpstreamToken option.');
    }
    const cached = this.tokens.get(resource);
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    try {
      const token = await getToken(resource);
      this.tokens.set(resource, { token, refreshAt: tokenExpiry(token) - 5 * 60_000 });
      return token;
    } catch (error) {
      throw new UpstreamUnavailableError(`No upstream token for ${resource}.`, { cause: error });
    }
  }
}
