const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface AudienceMatchOptions {
  /** Hub names are case-insensitive, so client-token audiences compare their path without case. */
  ignorePathCase?: boolean;
}

/**
 * Whether a token's `aud` names the URL the caller used. Tolerates what does not change the target:
 * ws/http and wss/https, an explicit default port, a trailing slash, percent-encoding differences, and
 * localhost vs 127.0.0.1 (connection strings often name one while clients dial the other).
 */
export function audienceMatches(aud: unknown, expected: URL, options: AudienceMatchOptions = {}): boolean {
  const candidates = Array.isArray(aud) ? aud : [aud];
  const want = normalize(expected, options);
  return candidates.some((candidate) => {
    if (typeof candidate !== 'string') return false;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return false;
    }
    return normalize(url, options) === want;
  });
}

function normalize(url: URL, options: AudienceMatchOptions): string {
  const scheme = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https' : 'http';
  const hostname = loopbackHosts.has(url.hostname) ? 'loopback' : url.hostname.toLowerCase();
  const port = url.port || (scheme === 'https' ? '443' : '80');
  let path = safeDecode(url.pathname).replace(/\/+$/, '');
  if (options.ignorePathCase) path = path.toLowerCase();
  return `${scheme}://${hostname}:${port}${path}?${url.searchParams.toString()}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
