import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { HostResponse } from './host-response.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Reads the file a URL path names under `webRoot`: `/` is `index.html`, an extensionless path such as `/moderator`
 * is `moderator.html`. `undefined` when there is no such file or the path tries to leave `webRoot`.
 */
export async function readStaticFile(webRoot: string, pathname: string): Promise<HostResponse | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' ? 'index.html' : extname(decoded) ? decoded : `${decoded}.html`;
  const root = resolve(webRoot);
  const file = resolve(root, `.${sep}${relative}`);
  if (!file.startsWith(`${root}${sep}`)) return undefined;
  const isFile = await stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isFile) return undefined;
  return {
    status: 200,
    headers: {
      'content-type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    },
    body: await readFile(file),
  };
}
