import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const redocly = join(projectRoot, 'node_modules/.bin/redocly');

export interface RespectOptions {
  /** Arazzo documents relative to the project root, run in this order. */
  files: string[];
  /** Workflow inputs; respect hands the same set to every workflow. */
  inputs: Record<string, string | number>;
  /** Source description name → server URL, replacing the server the OpenAPI document names. */
  servers: Record<string, string>;
  /** Keep secrets (tokens in responses) readable in the report. */
  revealSecrets?: boolean;
}

export interface RespectCheck {
  name: string;
  passed: boolean;
  message: string;
}

export interface RespectStep {
  stepId: string;
  status: string;
  checks: RespectCheck[];
  request: { method: string; url: string };
  response: { statusCode: number; body: unknown };
}

export interface RespectReport {
  status: string;
  files: Record<string, { executedWorkflows: { workflowId: string; executedSteps: RespectStep[] }[] }>;
}

export interface RespectRun {
  exitCode: number;
  /** stdout and stderr, for failure messages. */
  output: string;
  report: RespectReport;
}

/** Runs `redocly respect` as a child process and reads its JSON report. */
export async function runRespect(options: RespectOptions): Promise<RespectRun> {
  const reportDir = await mkdtemp(join(tmpdir(), 'respect-'));
  const reportPath = join(reportDir, 'report.json');
  const args = [
    'respect',
    ...options.files,
    // JSON rather than name=value pairs: values may hold `=` or `,`, which the pair syntax splits on.
    `--input=${JSON.stringify(options.inputs)}`,
    `--server=${JSON.stringify(options.servers)}`,
    `--json-output=${reportPath}`,
    ...(options.revealSecrets ? ['--no-secrets-masking'] : []),
  ];
  // The child inherits NODE_EXTRA_CA_CERTS (set by vitest.config.ts) so it trusts the emulator's certificate.
  // Telemetry and the update check would reach out to the network, which this machine does not have.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  try {
    const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
      execFile(redocly, args, { cwd: projectRoot, env, timeout: 25_000 }, (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ exitCode, output: `${stdout}${stderr}${error && exitCode === -1 ? error.message : ''}` });
      });
    });
    const report = await readFile(reportPath, 'utf8').then(
      (text) => JSON.parse(text) as RespectReport,
      () => {
        throw new Error(`respect wrote no report (exit code ${exitCode}):\n${output}`);
      },
    );
    return { exitCode, output, report };
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

export interface StepOutcome {
  workflowId: string;
  stepId: string;
  status: string;
  /** "check name: message" for each check that did not pass. */
  failedChecks: string[];
}

/** Every executed step of every workflow in the report, in order, with what went wrong. */
export function stepOutcomes(report: RespectReport): StepOutcome[] {
  return Object.values(report.files).flatMap((file) =>
    file.executedWorkflows.flatMap((workflow) =>
      workflow.executedSteps.map((step) => ({
        workflowId: workflow.workflowId,
        stepId: step.stepId,
        status: step.status,
        failedChecks: step.checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.message}`),
      })),
    ),
  );
}

/** The step a workflow of the report executed, by id. */
export function executedStep(report: RespectReport, stepId: string): RespectStep {
  const step = Object.values(report.files)
    .flatMap((file) => file.executedWorkflows.flatMap((workflow) => workflow.executedSteps))
    .find((candidate) => candidate.stepId === stepId);
  if (!step) throw new Error(`The report has no step ${stepId}`);
  return step;
}

/** What a run of the document passes: each step of each workflow, in document order, without a failed check. */
export async function passingOutcomes(file: string): Promise<StepOutcome[]> {
  const document = parse(await readFile(join(projectRoot, file), 'utf8')) as {
    workflows: { workflowId: string; steps: { stepId: string }[] }[];
  };
  return document.workflows.flatMap((workflow) =>
    workflow.steps.map((step) => ({
      workflowId: workflow.workflowId,
      stepId: step.stepId,
      status: 'success',
      failedChecks: [],
    })),
  );
}
