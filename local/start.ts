/**
 * `npm start`: the whole stack on the well-known ports (`npm start -- --free-ports` for free ones), its URLs printed,
 * stopped cleanly on Ctrl-C or SIGTERM. `npm start -- --instances 3` runs three instances of the app behind one
 * front end, as a scaled-out Function App.
 */
import { SettingsError } from '../src/errors.js';
import { type Stack, startStack } from './stack.js';

/** `--instances n`: how many app instances; 1 unless given. */
function instancesArgument(argv: readonly string[]): number {
  const at = argv.indexOf('--instances');
  if (at < 0) return 1;
  const count = Number(argv[at + 1]);
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    throw new UsageError(`--instances takes a whole number from 1 to 16, not ${argv[at + 1] ?? 'nothing'}.`);
  }
  return count;
}

class UsageError extends Error {}

function describe(stack: Stack): string {
  const signIn = (userId: string, roles: string, redirect: string) =>
    `${stack.appUrl}/.auth/login/dev?userId=${userId}${roles ? `&roles=${roles}` : ''}&post_login_redirect_uri=${redirect}`;
  return [
    '',
    'webpubsub-moderator local stack is running',
    `  App (Functions host)   ${stack.appUrl}/api/`,
    ...(stack.instances.length > 1
      ? [
          `  App instances          ${stack.instances.map((instance) => instance.url).join('  ')} (behind the URL above)`,
        ]
      : []),
    `  Chat page              ${stack.appUrl}/`,
    `  Moderator page         ${stack.appUrl}/moderator`,
    `  Sign in as alice       ${signIn('alice', '', '/')}`,
    `  Sign in as bob         ${signIn('bob', '', '/')}`,
    `  Sign in as moderator   ${signIn('mod', 'moderator', '/moderator')}`,
    `  Who am I / sign out    ${stack.appUrl}/.auth/me  ${stack.appUrl}/.auth/logout`,
    `  Web PubSub emulator    ${stack.emulator.httpUrl}  ${stack.emulator.httpsUrl ?? ''}`,
    `  Emulator connection    ${stack.emulator.connectionString}`,
    `  Azurite (Table)        ${stack.tablesConnectionString}`,
    `  Managed identity       ${stack.identity.endpoint}  (issuer ${stack.identity.issuer})`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const appInstances = instancesArgument(process.argv);
  const stack = await startStack({ fixedPorts: !process.argv.includes('--free-ports'), appInstances, log });
  log(describe(stack));
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${reason}: stopping the local stack…`);
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`Stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by a tool over IPC (a test): stop with it, even if it dies without a word.
  process.once('disconnect', () => stop('parent gone'));
}

main().catch((error: unknown) => {
  // Invalid settings are the operator's to fix and the list names each one; a stack trace would only bury it.
  const detail =
    error instanceof SettingsError || error instanceof UsageError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`The local stack failed to start: ${detail}\n`);
  process.exit(1);
});
