/**
 * Runs the benchmarks one after another, each in its own process, and prints their tables. With no arguments it
 * runs all of them and writes the output to bench/RESULTS.md; `npm run bench -- upstream fan-out` runs a selection.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const benchmarks = ['moderation', 'moderation-quality', 'upstream', 'delivery', 'cold-start', 'fan-out'] as const;
type Benchmark = (typeof benchmarks)[number];
const root = fileURLToPath(new URL('..', import.meta.url));

interface Outcome {
  name: Benchmark;
  output: string;
  seconds: number;
  failed: boolean;
}

function isBenchmark(name: string): name is Benchmark {
  return (benchmarks as readonly string[]).includes(name);
}

/** Runs one benchmark under tsx, echoing its output as it comes and keeping stdout for the results file. */
function runBenchmark(name: Benchmark): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const failed = code !== 0;
      const output = failed
        ? `${stdout}\n**Failed** (exit ${code}):\n\n\`\`\`text\n${stderr.trim().slice(-2_000)}\n\`\`\``
        : stdout;
      resolve({ name, output: output.trim(), seconds: (performance.now() - started) / 1000, failed });
    });
  });
}

/** The moderation benchmark prints an aligned text table; the others print markdown with their own heading. */
function asMarkdown(outcome: Outcome): string {
  const body = outcome.output.startsWith('## ')
    ? outcome.output
    : `## Moderation policy (\`bench/moderation.bench.ts\`)\n\n\`\`\`text\n${outcome.output}\n\`\`\``;
  return `${body}\n\n_${outcome.name}: ${outcome.seconds.toFixed(0)} s._`;
}

function machineNote(loadBefore: number[], loadAfter: number[]): string {
  const cpu = cpus();
  const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  return (
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${gib(totalmem())} GiB RAM (${gib(freemem())} GiB free ` +
    `at the end), ${process.platform} ${process.arch}. The machine is a VM that may share its cores with ` +
    `other work, so absolute figures move from run to run; each benchmark takes turns between the cases it ` +
    `compares and reports best and median. Load average (1, 5, 15 min) before: ${load(loadBefore)}; after: ${load(loadAfter)}.`
  );
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !isBenchmark(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Choose from: ${benchmarks.join(', ')}.`);
  process.exit(2);
}
const selection = requested.length > 0 ? requested.filter(isBenchmark) : [...benchmarks];
const loadBefore = loadavg();
const startedAt = new Date();
const outcomes: Outcome[] = [];
for (const name of selection) {
  console.log(`\n# ${name}\n`);
  outcomes.push(await runBenchmark(name));
}
if (requested.length === 0) {
  const results = [
    '# Benchmark results',
    '',
    `Last full run of \`npm run bench\`: ${startedAt.toISOString()}, Node ${process.version} (cold start: Node 22, ` +
      'see its section). Machine: ' +
      machineNote(loadBefore, loadavg()),
    '',
    ...outcomes.map(asMarkdown).flatMap((section) => [section, '']),
  ].join('\n');
  await writeFile(new URL('RESULTS.md', import.meta.url), results);
  console.log('\nWrote bench/RESULTS.md');
}
process.exitCode = outcomes.some((outcome) => outcome.failed) ? 1 : 0;
