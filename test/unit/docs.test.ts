import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the README', () => {
  it('names every error code the app can answer with', async () => {
    const errors = await read('src/errors.ts');
    const union = /export type ErrorCode =([^;]+);/.exec(errors)?.[1] ?? '';
    const codes = [...union.matchAll(/'([A-Za-z]+)'/g)].map((match) => match[1] ?? '');
    expect(codes.length).toBeGreaterThan(30);
    const readme = await read('README.md');
    for (const code of codes) expect(readme, code).toContain(`\`${code}\``);
  });
});
