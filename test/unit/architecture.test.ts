import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout's dependency rules (see the README's Architecture section), read from every relative import, `import
 * type` and dynamic `import()` included: arrows point one way and the graph has no cycle. The same graph that
 * `madge --circular` (with type imports) reports on; checked here without its TypeScript 5 peer.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const folders = ['src', 'functions', 'emulator', 'local', 'web/src', 'bench', 'test'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2] ?? '';
    targets.push(relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts'));
  }
  return targets;
}

const graph = new Map(folders.flatMap(sourceFiles).map((file) => [file, importsOf(file)]));

/** Every cycle's members (Tarjan's strongly connected components of more than one file, or a file importing itself). */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === file) break;
      }
      if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

const importers = (from: string, to: string) =>
  [...graph]
    .filter(([file]) => file.startsWith(from))
    .flatMap(([file, targets]) =>
      targets.filter((target) => target.startsWith(to)).map((target) => `${file} → ${target}`),
    );

describe('the import graph', () => {
  it('reads the imports it checks', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('src/runtime.ts')).toContain('src/app.ts');
    expect(graph.get('functions/index.ts')).toContain('src/http/register.ts');
  });

  it('has no cycle, type-only and dynamic imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the layers apart: src and emulator stand alone, functions only registers src, web reads types from src', () => {
    for (const layer of ['functions/', 'emulator/', 'local/', 'web/', 'bench/', 'test/']) {
      expect(importers('src/', layer)).toEqual([]);
    }
    for (const layer of ['src/', 'functions/', 'local/', 'web/']) expect(importers('emulator/', layer)).toEqual([]);
    expect(importers('functions/', 'emulator/')).toEqual([]);
    expect(importers('functions/', 'local/')).toEqual([]);
    // The pages talk to the app over HTTP: from src they take wire types and pure helpers, nothing that does I/O.
    const pageImports = importers('web/src/', 'src/').map((edge) => edge.split(' → ')[1]);
    expect(new Set(pageImports)).toEqual(new Set(['src/contracts.ts', 'src/scope.ts']));
  });
});
