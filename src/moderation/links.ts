/** A host name: labels of letters, digits and hyphens, and a top-level domain of letters (no backtracking to speak of). */
const HOST = /^(?:[a-z0-9-]+\.)+[a-z]{2,63}$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;
const LEADING = /^[^\p{L}\p{N}]+/u;
const TRAILING = /[^\p{L}\p{N}]+$/u;

/**
 * The host names of the links in normalised text (see `normalizeForMatching`): `https://x.example/…`, `www.x.org`
 * and bare `example.com` alike, lower-cased. One pass over whitespace-separated tokens, so its cost is linear.
 */
export function linkHosts(normalized: string): string[] {
  if (!normalized.includes('.')) return [];
  const hosts: string[] = [];
  for (const token of normalized.split(/\s+/)) {
    if (!token.includes('.')) continue;
    const bare = token.replace(LEADING, '').replace(SCHEME, '');
    const authority = bare.split(/[/?#]/, 1)[0] ?? '';
    const host = authority
      .replace(/^[^@]*@/, '')
      .replace(/:\d*$/, '')
      .replace(TRAILING, '');
    if (HOST.test(host) || IPV4.test(host)) hosts.push(host);
  }
  return hosts;
}

/** The host and each parent domain: `a.b.example.com` → `a.b.example.com`, `b.example.com`, `example.com`, `com`. */
export function* hostAndParents(host: string): Generator<string> {
  let rest = host;
  for (;;) {
    yield rest;
    const dot = rest.indexOf('.');
    if (dot < 0) return;
    rest = rest.slice(dot + 1);
  }
}
