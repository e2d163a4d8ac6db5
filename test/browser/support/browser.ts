import { type Browser, type BrowserContext, chromium, type Page, type WebSocketRoute } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface SignedInPage {
  context: BrowserContext;
  page: Page;
  /** Every dialog the page tried to open (alert, confirm, prompt): a sign of injected script. */
  dialogs: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** Console errors (a failed resource load shows here too). */
  consoleErrors: string[];
  /** Every URL the page asked for that answered 404. */
  notFound: string[];
}

export interface OpenPageOptions {
  appUrl: string;
  /** `/` (chat) or `/moderator.html`. */
  path: string;
  userId: string;
  viewport?: { width: number; height: number };
  /** Runs on the new context before the page loads, e.g. to route its WebSockets. */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/** A fresh browser context (own cookies) on a page, signed in through the page's own sign-in form. */
export async function openSignedIn(browser: Browser, options: OpenPageOptions): Promise<SignedInPage> {
  const context = await browser.newContext({
    baseURL: options.appUrl,
    viewport: options.viewport ?? { width: 1000, height: 720 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  await options.prepare?.(context);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const notFound: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) notFound.push(response.url());
  });
  await page.goto(options.path);
  await page.locator('#sign-in-name').fill(options.userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#user-name', { hasText: options.userId }).waitFor();
  return { context, page, dialogs, errors, consoleErrors, notFound };
}

/** A page's WebSocket relayed through the test, which can cut the page's side alone, as a failing network would. */
export interface RelayedSocket {
  page: WebSocketRoute;
  server: WebSocketRoute;
  /** Text frames the server sent, in order. */
  received: string[];
  /** Closes the page's side only: the service keeps the session, so the client's reliable protocol recovers it. */
  drop(): Promise<void>;
  /** Ends the session on both sides: the service forgets the connection, so the client has to start a new one. */
  lose(): Promise<void>;
}

/** Relays every Web PubSub client socket of `context` through the test; the returned list grows as they open. */
export async function relayWebPubSubSockets(context: BrowserContext): Promise<RelayedSocket[]> {
  const sockets: RelayedSocket[] = [];
  await context.routeWebSocket(/\/client\/hubs\//, (page) => {
    const server = page.connectToServer();
    let dropped = false;
    const socket: RelayedSocket = {
      page,
      server,
      received: [],
      async drop() {
        dropped = true;
        await page.close({ code: 4000, reason: 'network drop' });
      },
      async lose() {
        dropped = true;
        await server.close({ code: 1000, reason: 'gone' });
        await page.close({ code: 4000, reason: 'network drop' });
      },
    };
    page.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (dropped) return;
      socket.received.push(String(message));
      page.send(message);
    });
    // A lost network tells the service nothing; a close by the service still reaches the page.
    page.onClose(() => undefined);
    server.onClose((code, reason) => {
      if (!dropped) void page.close({ code, reason }).catch(() => undefined);
    });
    sockets.push(socket);
  });
  return sockets;
}
