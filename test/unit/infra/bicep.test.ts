import { describe, expect, it } from 'vitest';
import { createModerationTables } from '../../../src/clients.js';
import { loadSettings } from '../../../src/settings.js';
import { appSettingNames, appSettingsKnownToTheApp, bicep, blockAfter, readRepoFile as read } from './template-text.js';

/** `${name}` as Bicep interpolations and azd substitutions write it. */
const placeholder = (name: string) => `\${${name}}`;

/** Parameters declared without a default: a deployment must supply them. */
function requiredParameters(): string[] {
  return [...bicep.matchAll(/^param (\w+) [^=\n]+$/gm)].map((match) => match[1] ?? '');
}

/** What a managed-identity deployment must set for the app (src/settings.ts) and the Flex host. */
const requiredAppSettings = [
  'AzureWebJobsStorage__accountName',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'WEBPUBSUB_ENDPOINT',
  'WEBPUBSUB_HUB',
  'TABLES_ENDPOINT',
  'TABLE_PREFIX',
  'UPSTREAM_TOKEN_ISSUER',
  'UPSTREAM_TOKEN_JWKS_URI',
  'UPSTREAM_TOKEN_AUDIENCE',
  'UPSTREAM_PRINCIPAL_ID',
  'MODERATOR_ROLE',
  'CORS_ORIGINS',
  'ALLOW_ANONYMOUS',
  'CLIENT_TOKEN_MINUTES',
];

/** Values shaped like what Azure fills in, for running the app's own settings validation on the template's names. */
const sampleValues: Record<string, string> = {
  WEBPUBSUB_ENDPOINT: 'https://wps-abc.webpubsub.azure.com',
  WEBPUBSUB_HUB: 'chat',
  TABLES_ENDPOINT: 'https://stabc.table.core.windows.net/',
  TABLE_PREFIX: 'moderator',
  UPSTREAM_TOKEN_ISSUER: 'https://sts.windows.net/00000000-0000-0000-0000-00000000000a/',
  UPSTREAM_TOKEN_JWKS_URI: 'https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000a/discovery/v2.0/keys',
  UPSTREAM_TOKEN_AUDIENCE: '00000000-0000-0000-0000-00000000000b',
  UPSTREAM_PRINCIPAL_ID: '00000000-0000-0000-0000-00000000000c',
  API_TOKEN_ISSUER:
    'https://sts.windows.net/00000000-0000-0000-0000-00000000000a/,https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000a/v2.0',
  API_TOKEN_AUDIENCE: '00000000-0000-0000-0000-00000000000b,api://00000000-0000-0000-0000-00000000000b',
  API_TOKEN_JWKS_URI: 'https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000a/discovery/v2.0/keys',
  MODERATOR_ROLE: 'moderator',
  CORS_ORIGINS: '',
  ALLOW_ANONYMOUS: 'false',
  CLIENT_TOKEN_MINUTES: '60',
};

describe('infra/main.bicep', () => {
  it('uses GA API versions only', () => {
    const versions = [...bicep.matchAll(/'([\w.]+\/[\w/]+)@([\w-]+)'/g)].map((match) => `${match[1]}@${match[2]}`);
    expect(versions.length).toBeGreaterThan(10);
    expect(versions.filter((version) => version.includes('preview'))).toEqual([]);
  });

  // The role ids themselves are checked against Azure's published list in deployment.test.ts.
  it('assigns the Web PubSub and storage data roles to the Function App identity', () => {
    expect(bicep).toMatch(/scope: webPubSub\s+properties: \{\s+roleDefinitionId: [^\n]+webPubSubServiceOwner\)/);
    expect(bicep).toMatch(/storageDataRoles = \[roles\.storageBlobDataOwner, roles\.storageTableDataContributor\]/);
    const appAssignments = bicep.match(
      /principalId: functionApp\.identity\.principalId\s+principalType: 'ServicePrincipal'/g,
    );
    expect(appAssignments?.length).toBeGreaterThanOrEqual(3);
    // The deploying user's assignments exist only when azd passes a principal id.
    expect(bicep).toMatch(/for roleId in storageDataRoles: if \(!empty\(principalId\)\)/);
  });

  it('turns off Web PubSub access keys and anonymous connects', () => {
    expect(bicep).toMatch(/disableLocalAuth: true/);
    expect(bicep).toMatch(/anonymousConnectPolicy: 'Deny'/);
    expect(blockAfter(bicep, "resource webPubSub 'Microsoft.SignalRService/webPubSub@")).toMatch(
      /identity: \{ type: 'SystemAssigned' \}/,
    );
  });

  it('hosts the app on a Linux Flex Consumption plan with Node 22 and identity-based storage', () => {
    expect(blockAfter(bicep, 'resource plan ')).toMatch(/name: 'FC1'\s+tier: 'FlexConsumption'/);
    const app = blockAfter(bicep, 'resource functionApp ');
    expect(app).toContain("kind: 'functionapp,linux'");
    expect(app).toContain("'azd-service-name': 'api'");
    expect(app).toMatch(/runtime: \{\s+name: 'node'\s+version: '22'\s+\}/);
    expect(app).toContain('instanceMemoryMB: 2048');
    expect(app).toContain('maximumInstanceCount: maximumInstanceCount');
    expect(app).toContain("authentication: { type: 'SystemAssignedIdentity' }");
    expect(app).toContain('httpsOnly: true');
    expect(app).toContain("minTlsVersion: '1.2'");
    expect(app).toContain("ftpsState: 'Disabled'");
  });

  it('locks the storage account down and creates every table the app uses', () => {
    const storage = blockAfter(bicep, 'resource storage ');
    expect(storage).toContain('allowSharedKeyAccess: false');
    expect(storage).toContain('allowBlobPublicAccess: false');
    expect(storage).toContain("minimumTlsVersion: 'TLS1_2'");
    // The app's own list of tables, with an empty prefix: the suffixes the template must create.
    const tables = createModerationTables({
      tables: { endpoint: undefined, connectionString: 'UseDevelopmentStorage=true' },
      tablePrefix: '',
    });
    const suffixes = Object.values(tables).map((table) => `'${table.tableName}'`);
    expect(suffixes).toHaveLength(8);
    expect(bicep).toContain(
      `for suffix in [${suffixes.join(', ')}]: '${placeholder('tablePrefix')}${placeholder('suffix')}'`,
    );
    expect(bicep).toMatch(/for tableName in tableNames: \{\s+parent: tableService/);
  });

  it('gives the hub exactly one event handler, authenticated with a managed identity token for the app registration', () => {
    const handlers = blockAfter(bicep, 'eventHandlers:', '[');
    expect(handlers.match(/urlTemplate:/g)).toHaveLength(1);
    expect(handlers).toContain(
      `urlTemplate: 'https://${placeholder('functionApp.properties.defaultHostName')}/api/webpubsub'`,
    );
    expect(handlers).toContain("userEventPattern: '*'");
    expect(handlers).toContain("systemEvents: ['connect', 'connected', 'disconnected']");
    expect(handlers).toMatch(/type: 'ManagedIdentity'/);
    expect(handlers).toContain('managedIdentity: { resource: authClientId }');
  });

  it('turns on App Service Authentication with Entra ID, letting anonymous requests through to the app', () => {
    const auth = blockAfter(bicep, "name: 'authsettingsV2'");
    expect(auth).toContain("unauthenticatedClientAction: 'AllowAnonymous'");
    expect(auth).toMatch(/registration: \{\s+clientId: authClientId/);
    expect(auth).toMatch(/tokenStore: \{ enabled: true \}/);
    expect(auth).toContain("excludedPaths: ['/api/webpubsub']");
    expect(auth).toContain('allowedExternalRedirectUrls: pageOrigins');
  });

  it('sets every app setting a managed-identity deployment needs, and only names the app knows', () => {
    const names = appSettingNames();
    expect(names).toEqual(expect.arrayContaining(requiredAppSettings));
    const known = appSettingsKnownToTheApp();
    const hostSettings = (name: string) => name.startsWith('AzureWebJobs') || name.startsWith('APPLICATIONINSIGHTS_');
    expect(names.filter((name) => !hostSettings(name) && !known.has(name))).toEqual([]);
    // Keys, connection strings and a user-assigned client id have no place next to system-assigned identities.
    for (const name of ['AZURE_CLIENT_ID', 'WEBPUBSUB_ACCESS_KEYS', 'TABLES_CONNECTION_STRING']) {
      expect(known.has(name)).toBe(true);
      expect(names).not.toContain(name);
    }
  });

  it('app settings of that shape pass the app’s own settings validation', () => {
    const env = Object.fromEntries(appSettingNames().map((name) => [name, sampleValues[name] ?? 'sample']));
    const settings = loadSettings(env);
    expect(settings.upstream.token?.principalId).toBe(sampleValues.UPSTREAM_PRINCIPAL_ID);
    expect(settings.tables.endpoint).toBe('https://stabc.table.core.windows.net');
    expect(settings.upstream.accessKeys).toEqual([]);
  });

  it('outputs what azd and docs/deploy.md refer to', () => {
    for (const output of ['AZURE_FUNCTION_APP_NAME', 'appUrl', 'negotiateUrl', 'webPubSubEndpoint', 'webPubSubName']) {
      expect(bicep).toMatch(new RegExp(`^output ${output} string = `, 'm'));
    }
  });
  it("merges the operator's moderationSettings over the template's app settings, as docs/deploy.md says", () => {
    // union() lets the later object win.
    expect(blockAfter(bicep, "resource appSettings 'Microsoft.Web/sites/config@")).toMatch(
      /properties: union\(\{[\s\S]*\}, moderationSettings\)\s*\}$/,
    );
  });

  it('names the deployment container in lower case, whatever case functionAppName has', () => {
    // Blob container names are lower-case letters, digits and hyphens.
    expect(bicep).toMatch(/^var deploymentContainerName = 'app-package-\$\{toLower\(take\(appName, 32\)\)\}-/m);
  });
});

/**
 * Published facts the template is held to, each with its source (Azure/bicep-types-az, generated/, at commit
 * 1f896de2db966ad91e8f7d7d981e11d32e4f5d8d of 2026-08-20).
 */
describe('infra/main.bicep against the published Bicep types', () => {
  /** GA API versions (2020 on) that have Bicep types: `generated/<provider>/<namespace>/<version>/types.md`. */
  const web = ['2022-03-01', '2022-09-01', '2023-01-01', '2023-12-01', '2024-04-01', '2024-11-01', '2025-03-01'];
  const webPubSub = ['2023-02-01', '2024-03-01'];
  const storage = ['2024-01-01', '2025-01-01', '2025-06-01', '2025-08-01', '2026-04-01'];
  /** Per resource type: every type of one namespace shares that namespace's generated versions. */
  const versionsWithTypes: Record<string, string[]> = {
    'Microsoft.Web/serverfarms': web,
    'Microsoft.Web/sites': web,
    'Microsoft.Web/sites/config': web,
    'Microsoft.SignalRService/webPubSub': webPubSub,
    'Microsoft.SignalRService/webPubSub/hubs': webPubSub,
    'Microsoft.Storage/storageAccounts': storage,
    'Microsoft.Storage/storageAccounts/blobServices': storage,
    'Microsoft.Storage/storageAccounts/blobServices/containers': storage,
    'Microsoft.Storage/storageAccounts/tableServices': storage,
    'Microsoft.Storage/storageAccounts/tableServices/tables': storage,
    'Microsoft.OperationalInsights/workspaces': ['2022-10-01', '2023-09-01', '2025-02-01', '2025-07-01', '2026-03-01'],
    'Microsoft.Insights/components': ['2020-02-02'],
    'Microsoft.Authorization/roleAssignments': ['2022-04-01'],
  };

  it('uses only API versions with published types, so Bicep checks every property (no BCP081)', () => {
    const used = [...bicep.matchAll(/^resource \w+ '([\w.]+\/[\w/]+)@([\w-]+)'/gm)].map(
      ([, type = '', version = '']) => ({
        type,
        version,
      }),
    );
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter(({ type, version }) => !versionsWithTypes[type]?.includes(version))).toEqual([]);
  });

  it('enables only the Live Trace categories the API documents', () => {
    // LiveTraceCategory.name in generated/webpubsub/microsoft.signalrservice/2024-03-01/types.md:
    // "Available values: ConnectivityLogs, MessagingLogs."
    const categories = [...blockAfter(bicep, 'liveTraceConfiguration:').matchAll(/name: '(\w+)'/g)].map((m) => m[1]);
    expect(categories.length).toBeGreaterThan(0);
    expect(categories.filter((name) => !['ConnectivityLogs', 'MessagingLogs'].includes(name ?? ''))).toEqual([]);
  });
});

describe('infra/main.parameters.json', () => {
  const parameters = JSON.parse(read('infra/main.parameters.json')) as {
    parameters: Record<string, { value: unknown }>;
  };
  const declared = new Set([...bicep.matchAll(/^param (\w+) /gm)].map((match) => match[1]));

  it('supplies every parameter main.bicep requires, through azd substitutions', () => {
    expect(requiredParameters().sort()).toEqual(['authClientId', 'environmentName']);
    for (const name of requiredParameters()) expect(parameters.parameters).toHaveProperty(name);
    expect(parameters.parameters.environmentName?.value).toBe(placeholder('AZURE_ENV_NAME'));
    expect(parameters.parameters.location?.value).toBe(placeholder('AZURE_LOCATION'));
  });

  it('names only parameters main.bicep declares', () => {
    expect(Object.keys(parameters.parameters).filter((name) => !declared.has(name))).toEqual([]);
  });
});

describe('azure.yaml', () => {
  it('builds, then deploys dist/ (a complete project, no remote build) as the api Function App main.bicep tags', () => {
    const yaml = read('azure.yaml');
    expect(yaml).toMatch(/hooks:\n {2}prepackage:\n {4}shell: sh\n {4}run: npm ci && npm run build\n/);
    expect(yaml).toMatch(
      /services:\n {2}api:\n {4}project: \.\/dist\n {4}language: js\n {4}host: function\n {4}remoteBuild: false\n/,
    );
    expect(yaml).toMatch(/infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main\n/);
  });
});
