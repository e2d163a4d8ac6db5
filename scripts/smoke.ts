/**
 * Post-deployment smoke test: `npm run smoke -- https://<app>` checks a deployed app end to end, as a signed-in user,
 * with the official Web PubSub client. It needs nothing of the local stack. Who the user is comes from the
 * environment, never the command line (it would stay in the shell history): SMOKE_AUTH_COOKIE (the
 * AppServiceAuthSession cookie of a browser signed in at https://<app>/.auth/login/aad) or SMOKE_AUTH_TOKEN (an
 * Entra ID token for the app registration, e.g. the id_token that https://<app>/.auth/me shows). On the local stack,
 * `--dev-login` signs in through the local host's `/.auth/login/dev` instead. Exit code 0 when every check passed.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { z } from 'zod';
import type { AppReply, ChatLine } from '../src/contracts.js';

export type SmokeAuth = { kind: 'cookie'; cookie: string } | { kind: 'token'; token: string } | { kind: 'devLogin' };

export interface SmokeOptions {
  appUrl: string;
  auth: SmokeAuth;
  /** Receives one line per check. Default: stdout. */
  log?: (line: string) => void;
  /** How long to wait for each reply from the app. Default 15 s. */
  replyTimeoutMs?: number;
}

export interface SmokeCheck {
  name: string;
  passed: boolean;
  detail: string;
}

const replyTypes = new Set<string>(['joined', 'accepted', 'refused', 'reported', 'error'] satisfies AppReply['type'][]);
/** A clean line, and one that every deployment's default profanity filter refuses. */
const cleanLine = 'smoke test: hello';
const profaneLine = 'smoke test: you are a shit';

/** Runs every check against a deployed (or local) app; never throws for a failed check, only reports it. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeCheck[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const appUrl = options.appUrl.replace(/\/+$/, '');
  const checks: SmokeCheck[] = [];
  const check = async (name: string, run: () => Promise<string>): Promise<boolean> => {
    let result: SmokeCheck;
    try {
      result = { name, passed: true, detail: await run() };
    } catch (error) {
      result = { name, passed: false, detail: error instanceof Error ? error.message : String(error) };
    }
    checks.push(result);
    log(`${result.passed ? 'ok  ' : 'FAIL'} ${name}: ${result.detail}`);
    return result.passed;
  };

  const user = `smoke-${randomUUID().slice(0, 8)}`;
  let credentials: Record<string, string> = {};
  const call = (path: string, init: RequestInit = {}, withCredentials = true) => {
    const headers = new Headers(init.headers);
    if (withCredentials) for (const [name, value] of Object.entries(credentials)) headers.set(name, value);
    return fetch(`${appUrl}${path}`, { ...init, headers, redirect: 'manual' });
  };

  const signedIn = await check('sign in', async () => {
    credentials = await signIn(appUrl, options.auth, user);
    // A session cookie shows in /.auth/me; a bearer token is checked by negotiate (401 without a user).
    if (options.auth.kind === 'token') return 'bearer token given';
    const me = await call('/.auth/me');
    if (me.status !== 200) throw new Error(`/.auth/me answered ${me.status}: the cookie is not a signed-in session`);
    return options.auth.kind === 'devLogin' ? `dev sign-in as ${user}` : 'session cookie accepted';
  });

  let clientUrl: string | undefined;
  if (signedIn) {
    await check('negotiate as the signed-in user', async () => {
      const response = await call('/api/negotiate');
      const body = await jsonOf(response);
      const parsed = z.object({ url: z.string().regex(/^wss?:\/\//), userId: z.string().min(1) }).safeParse(body);
      if (response.status !== 200 || !parsed.success) {
        throw new Error(`answered ${response.status} ${summary(body)}`);
      }
      clientUrl = parsed.data.url;
      return `200, userId ${parsed.data.userId}`;
    });
  }

  if (clientUrl) {
    const chatter = new SmokeChatter(clientUrl, () => call('/api/negotiate'), options.replyTimeoutMs ?? 15_000);
    try {
      const room = `smoke-${randomUUID().slice(0, 8)}`;
      const connected = await check('connect with @azure/web-pubsub-client', async () => {
        await chatter.start();
        return 'connected';
      });
      const joined =
        connected &&
        (await check(`join room ${room}`, async () => {
          const reply = await chatter.send('join', { room });
          if (reply.type !== 'joined') throw new Error(`replied ${summary(reply)}`);
          return 'joined';
        }));
      if (joined) {
        await check('a clean line is delivered to the room', async () => {
          const reply = await chatter.send('chat', { room, text: cleanLine });
          if (reply.type !== 'accepted' || typeof reply.id !== 'string') {
            throw new Error(`replied ${summary(reply)}`);
          }
          const line = await chatter.delivered(reply.id);
          if (line.text !== cleanLine) throw new Error(`delivered ${summary(line)}`);
          return `accepted and delivered (id ${reply.id})`;
        });
        await check('a profane line is refused', async () => {
          const reply = await chatter.send('chat', { room, text: profaneLine });
          if (reply.type !== 'refused') throw new Error(`replied ${summary(reply)}`);
          return `refused (rule ${String(reply.rule)})`;
        });
      }
    } finally {
      chatter.stop();
    }
  }

  await check('a forged x-ms-client-principal with the moderator role is refused', async () => {
    const forged = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [
          { typ: 'roles', val: 'moderator' },
          { typ: 'name', val: user },
        ],
      }),
    ).toString('base64');
    const response = await call('/api/moderate/bans', { headers: { 'x-ms-client-principal': forged } }, false);
    if (response.status !== 401 && response.status !== 403) {
      throw new Error(`GET /api/moderate/bans answered ${response.status} ${summary(await jsonOf(response))}`);
    }
    return `${response.status}`;
  });

  await check('an unsigned upstream event is refused', async () => {
    const connectionId = `smoke-${randomUUID()}`;
    const response = await call(
      '/api/webpubsub',
      { method: 'POST', headers: unsignedUserEventHeaders(connectionId, user), body: 'hello' },
      false,
    );
    const body = await jsonOf(response);
    if (response.status !== 401) throw new Error(`POST /api/webpubsub answered ${response.status} ${summary(body)}`);
    return `401 ${summary(body)}`;
  });

  if (signedIn) {
    // Each method is served by its own function; a function the host did not load answers 404 (405 for a method no
    // function takes). Either the app's own answer (its JSON) or nothing: a moderator gets 200 and 400 (empty body, so
    // nothing is banned), anyone else 403 twice.
    await check('/api/moderate/bans answers GET and POST', async () => {
      const answers: string[] = [];
      for (const method of ['GET', 'POST']) {
        const init: RequestInit =
          method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: '{}' } : { method };
        const response = await call('/api/moderate/bans', init);
        const body = await jsonOf(response);
        if (![200, 400, 403].includes(response.status) || typeof body !== 'object' || body === null) {
          throw new Error(`${method} answered ${response.status} ${summary(body)}`);
        }
        answers.push(`${method} ${response.status}`);
      }
      return answers.join(', ');
    });
  }

  const failed = checks.filter((result) => !result.passed).length;
  log(`${checks.length - failed} passed, ${failed} failed`);
  return checks;
}

/** The request headers that carry the signed-in user: the session cookie, a bearer token, or a dev sign-in's cookie. */
async function signIn(appUrl: string, auth: SmokeAuth, user: string): Promise<Record<string, string>> {
  if (auth.kind === 'cookie') {
    return { cookie: auth.cookie.includes('=') ? auth.cookie : `AppServiceAuthSession=${auth.cookie}` };
  }
  if (auth.kind === 'token') return { authorization: `Bearer ${auth.token}` };
  const response = await fetch(`${appUrl}/.auth/login/dev?userId=${encodeURIComponent(user)}`, { redirect: 'manual' });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`/.auth/login/dev answered ${response.status} and set no cookie (not a local host?)`);
  return { cookie };
}

/** Binary-mode CloudEvents headers of a user event, as Web PubSub sends them, without a token or a signature. */
function unsignedUserEventHeaders(connectionId: string, userId: string): Record<string, string> {
  return {
    'content-type': 'text/plain',
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': 'azure.webpubsub.user.message',
    'ce-source': `/hubs/chat/client/${connectionId}`,
    'ce-id': randomUUID(),
    'ce-time': new Date().toISOString(),
    'ce-hub': 'chat',
    'ce-connectionid': connectionId,
    'ce-eventname': 'message',
    'ce-userid': userId,
  };
}

/**
 * What a failure line shows of an answer: its type, code, rule and message, never the rest (a negotiate or `joined`
 * answer carries a client URL with its access token).
 */
function summary(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value).slice(0, 200);
  const shown = Object.entries(value).filter(([key]) => ['type', 'code', 'rule', 'message', 'text'].includes(key));
  return JSON.stringify(Object.fromEntries(shown));
}

async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const chatLineSchema = z.object({
  type: z.literal('chat'),
  id: z.string(),
  room: z.string(),
  from: z.string(),
  text: z.string(),
  ts: z.string(),
}) satisfies z.ZodType<ChatLine>;

/** One connection on the official client: sends user events, and collects the app's replies and the room's lines. */
class SmokeChatter {
  private readonly client: WebPubSubClient;
  private readonly lines: ChatLine[] = [];
  private readonly waiting: ((reply: AppReply) => void)[] = [];

  constructor(
    firstUrl: string,
    negotiate: () => Promise<Response>,
    private readonly timeoutMs: number,
  ) {
    let url: string | undefined = firstUrl;
    this.client = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          const next = url ?? ((await (await negotiate()).json()) as { url: string }).url;
          url = undefined;
          return next;
        },
      },
      // No keep-alive tasks: the connection lives seconds, and a stopped client's timeout monitor would still hold the
      // process for its 40 s interval (1.0.4's AbortableTask waits out its delay after abort()).
      {
        autoReconnect: false,
        messageRetryOptions: { maxRetries: 0 },
        keepAliveIntervalInMs: 0,
        keepAliveTimeoutInMs: 0,
      },
    );
    // Room lines reach members as group messages (the service's own behaviour for a REST group send); the app's
    // answer to a user event comes back as a server message.
    this.client.on('group-message', (event) => {
      const line = chatLineSchema.safeParse(event.message.data);
      if (line.success) this.lines.push(line.data);
    });
    this.client.on('server-message', (event) => {
      const data = event.message.data as AppReply;
      if (replyTypes.has(data?.type)) this.waiting.shift()?.(data);
    });
  }

  start(): Promise<void> {
    return this.client.start();
  }

  /** Sends a user event and resolves with the app's reply (the service delivers one connection's events in order). */
  async send(event: string, data: Record<string, unknown>): Promise<AppReply> {
    const reply = new Promise<AppReply>((resolve) => this.waiting.push(resolve));
    await this.client.sendEvent(event, data, 'json');
    return withTimeout(reply, this.timeoutMs, `no reply to '${event}'`);
  }

  /** The room line with this id, once it has arrived on this connection. */
  delivered(id: string): Promise<ChatLine> {
    return withTimeout(
      new Promise<ChatLine>((resolve) => {
        const poll = () => {
          const line = this.lines.find((candidate) => candidate.id === id);
          if (line) resolve(line);
          else setTimeout(poll, 50);
        };
        poll();
      }),
      this.timeoutMs,
      `line ${id} was not delivered`,
    );
  }

  stop(): void {
    this.client.stop();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const cliSchema = z.object({
  appUrl: z.url({ protocol: /^https?$/ }),
  devLogin: z.boolean(),
  cookie: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
});

/** `smoke <app url> [--dev-login]`, the credentials from SMOKE_AUTH_COOKIE or SMOKE_AUTH_TOKEN. */
export function parseSmokeArguments(args: readonly string[], env: NodeJS.ProcessEnv): SmokeOptions {
  const parsed = cliSchema.safeParse({
    appUrl: args.find((arg) => !arg.startsWith('--')),
    devLogin: args.includes('--dev-login'),
    cookie: env.SMOKE_AUTH_COOKIE || undefined,
    token: env.SMOKE_AUTH_TOKEN || undefined,
  });
  const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--dev-login');
  if (!parsed.success || unknown.length > 0) {
    throw new Error(
      `usage: npm run smoke -- https://<app> [--dev-login] (${[...unknown.map((arg) => `unknown option ${arg}`), ...(parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [])].join('; ')})`,
    );
  }
  const { appUrl, devLogin, cookie, token } = parsed.data;
  const given = [devLogin, cookie !== undefined, token !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new Error('sign in one way: SMOKE_AUTH_COOKIE, SMOKE_AUTH_TOKEN, or --dev-login (local stack only)');
  }
  const auth: SmokeAuth = devLogin
    ? { kind: 'devLogin' }
    : cookie !== undefined
      ? { kind: 'cookie', cookie }
      : { kind: 'token', token: token ?? '' };
  return { appUrl, auth };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const checks = await runSmoke(parseSmokeArguments(process.argv.slice(2), process.env));
    process.exitCode = checks.every((result) => result.passed) ? 0 : 1;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
