/** Where the app is and how users sign in; set by `public/config.js`, defaults fit the local stack. */
export interface PageConfig {
  /** Origin (and optional path) of the Function app, without a trailing slash; the page's own origin by default. */
  apiBaseUrl: string;
  /** App Service Authentication provider: `/.auth/login/{loginProvider}`. */
  loginProvider: string;
}

declare global {
  interface Window {
    webPubSubModeratorConfig?: Partial<PageConfig>;
  }
}

const localHostnames = new Set(['localhost', '127.0.0.1', '[::1]']);

export function resolveConfig(raw: Partial<PageConfig> | undefined, pageUrl: URL): PageConfig {
  const apiBaseUrl = new URL(raw?.apiBaseUrl || pageUrl.origin, pageUrl).href.replace(/\/+$/, '');
  const loginProvider = raw?.loginProvider || (localHostnames.has(pageUrl.hostname) ? 'dev' : 'aad');
  return { apiBaseUrl, loginProvider };
}

export function pageConfig(): PageConfig {
  return resolveConfig(window.webPubSubModeratorConfig, new URL(window.location.href));
}
