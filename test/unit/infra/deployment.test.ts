import { describe, expect, it } from 'vitest';
import { appSettingNames, appSettingsKnownToTheApp, bicep, blockAfter, readRepoFile } from './template-text.js';

/**
 * A first deployment as a new user makes it, checked against the sources the platform and the tools follow rather
 * than against constants copied from the code under test.
 */
describe('built-in role ids', () => {
  /**
   * Azure's published built-in roles: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
   * (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles.md, ms.date 04/09/2026: the
   * Storage, Web and Mobile, and Monitor tables).
   */
  const publishedRoles = [
    { name: 'Web PubSub Service Owner', id: '12cf5a90-567b-43ae-8102-96cf46c7d9b4' },
    { name: 'Storage Blob Data Owner', id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' },
    { name: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' },
    { name: 'Monitoring Metrics Publisher', id: '3913510d-42f4-4e42-8a64-420c390055eb' },
  ];
  /** The role each entry of the template's `roles` object means to assign. */
  const intended: Record<string, string> = {
    webPubSubServiceOwner: 'Web PubSub Service Owner',
    storageBlobDataOwner: 'Storage Blob Data Owner',
    storageTableDataContributor: 'Storage Table Data Contributor',
    monitoringMetricsPublisher: 'Monitoring Metrics Publisher',
  };
  const templateRoles = Object.fromEntries(
    [...blockAfter(bicep, 'var roles =').matchAll(/^\s*(\w+): '([0-9a-f-]+)'/gm)].map(([, key, id]) => [key, id]),
  );

  it('gives each role the id Azure publishes for it', () => {
    expect(Object.keys(templateRoles).sort()).toEqual(Object.keys(intended).sort());
    for (const [key, name] of Object.entries(intended)) {
      expect({ key, id: templateRoles[key] }).toEqual({ key, id: publishedRoles.find((r) => r.name === name)?.id });
    }
  });

  it('names no role definition id outside the published list', () => {
    const guids = bicep.match(/'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'/g) ?? [];
    const published = new Set(publishedRoles.map((role) => `'${role.id}'`));
    expect(guids.filter((guid) => !published.has(guid))).toEqual([]);
  });
});

describe('documented publish commands', () => {
  /**
   * How Core Tools decides the worker runtime (Azure/azure-functions-core-tools, src/Cli/func/Helpers/
   * GlobalCoreToolsSettings.cs `Init` and WorkerRuntimeLanguageHelper.cs): a language flag, else
   * FUNCTIONS_WORKER_RUNTIME in the environment, else local.settings.json, which a fresh clone does not have.
   * These flags and this value resolve to the Node worker.
   */
  const nodeFlags = ['--javascript', '--typescript', '--node'];
  const documents = ['README.md', 'docs/deploy.md'];
  /** Each `func azure functionapp publish <app> …` command: from an inline code span, or a line of a code block. */
  const publishCommands = documents.flatMap((path) =>
    [
      ...readRepoFile(path).matchAll(
        /(?:FUNCTIONS_WORKER_RUNTIME=\S+\s+)?func azure functionapp publish\s+(?:"\$APP"|\$APP|<app>)[^`\n]*/g,
      ),
    ].map((match) => ({ path, command: match[0] })),
  );

  it('are found in the README and docs/deploy.md', () => {
    expect(new Set(publishCommands.map((entry) => entry.path))).toEqual(new Set(documents));
  });

  it('each name the worker runtime as Core Tools requires, so they work on a fresh clone', () => {
    const withoutRuntime = publishCommands.filter(
      ({ command }) =>
        !nodeFlags.some((flag) => command.split(/[\s()]+/).includes(flag)) &&
        !command.startsWith('FUNCTIONS_WORKER_RUNTIME=node '),
    );
    expect(withoutRuntime).toEqual([]);
  });

  it('never ask for a remote build, which the uploaded files cannot run', () => {
    expect(publishCommands.filter(({ command }) => /--build(\s+|=)remote/.test(command))).toEqual([]);
  });

  it('docs/deploy.md cites the Core Tools source that decides the worker runtime', () => {
    const deploy = readRepoFile('docs/deploy.md');
    expect(deploy).toContain('Azure/azure-functions-core-tools');
    expect(deploy).toContain('src/Cli/func/Helpers/GlobalCoreToolsSettings.cs');
    expect(deploy).toContain('src/Cli/func/Helpers/WorkerRuntimeLanguageHelper.cs');
  });
});

describe('app settings', () => {
  /** The names in docs/deploy.md's table of the settings the template leaves to the operator. */
  const operatorSettings = (() => {
    const deploy = readRepoFile('docs/deploy.md');
    const start = deploy.indexOf('### App settings the template leaves to you');
    const section = deploy.slice(start, deploy.indexOf('\n## ', start));
    return new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1] ?? ''));
  })();

  it('every setting the code reads is written by the template or documented as the operator’s', () => {
    const template = new Set(appSettingNames());
    const known = appSettingsKnownToTheApp();
    expect(known.size).toBeGreaterThan(30);
    expect([...known].filter((name) => !template.has(name) && !operatorSettings.has(name))).toEqual([]);
  });

  it('the operator’s table names only settings the code reads, and none the template writes', () => {
    const known = appSettingsKnownToTheApp();
    const template = new Set(appSettingNames());
    expect([...operatorSettings].filter((name) => !known.has(name) || template.has(name))).toEqual([]);
  });
});
