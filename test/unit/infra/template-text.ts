import { readFileSync } from 'node:fs';

// No Bicep compiler runs here (no `az`/`bicep` binary, and npm has none: `bicep-node` drives a CLI it does not ship),
// so the infra tests read the template and the docs as text.
const root = new URL('../../../', import.meta.url);
export const readRepoFile = (path: string): string => readFileSync(new URL(path, root), 'utf8');
export const bicep = readRepoFile('infra/main.bicep');

/** The balanced `{…}` or `[…]` block that opens at the first bracket after `marker`. */
export function blockAfter(text: string, marker: string, open = '{'): string {
  const close = open === '{' ? '}' : ']';
  const start = text.indexOf(open, text.indexOf(marker));
  if (text.indexOf(marker) < 0 || start < 0) throw new Error(`no ${open} block after ${marker}`);
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (text[index] === open) depth++;
    if (text[index] === close && --depth === 0) return text.slice(start, index + 1);
  }
  throw new Error(`unbalanced block after ${marker}`);
}

/** Names of the Function App's app settings (every one contains an underscore; resource keys such as `parent` do not). */
export function appSettingNames(): string[] {
  const block = blockAfter(bicep, "name: 'appsettings'");
  return [...block.matchAll(/^\s*([A-Za-z][A-Za-z0-9_]*):/gm)]
    .map((match) => match[1] ?? '')
    .filter((name) => name.includes('_'));
}

/** Every environment variable src/settings.ts reads (its schema keys, indented two spaces). */
export function appSettingsKnownToTheApp(): Set<string> {
  return new Set(
    [...readRepoFile('src/settings.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1] ?? ''),
  );
}
