// webpubsub-moderator on Azure: a Flex Consumption Function App behind App Service Authentication, an Azure Web PubSub
// resource that calls it with its managed identity, and Table Storage, all reached with managed identities (no keys).
//
// API versions: the newest GA version of each type that has published Bicep types (Azure/bicep-types-az, generated/),
// so the compiler checks every property (no warning BCP081):
//   Microsoft.Web 2025-03-01 (2025-05-01 is GA in ARM but has no Bicep types yet; no property here needs it),
//   Microsoft.SignalRService 2024-03-01 (every later version is a preview),
//   Microsoft.Storage 2025-06-01 (azure/templates/microsoft.storage/allversions),
//   Microsoft.OperationalInsights 2025-02-01, Microsoft.Insights/components 2020-02-02,
//   Microsoft.Authorization/roleAssignments 2022-04-01.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd AZURE_ENV_NAME); seeds the unique resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@minLength(36)
@maxLength(36)
@description('Client (application) id of the Entra app registration that signs users in and carries the moderator app role. It is also the audience of the tokens Web PubSub presents to /api/webpubsub.')
param authClientId string

@description('Object id of a user or service principal that gets the same data roles as the app, for debugging (azd AZURE_PRINCIPAL_ID). Empty: no extra role assignments.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principal that principalId names.')
param principalType string = 'User'

@description('Function App name; empty picks func-<unique token>. Set it to know the sign-in redirect URI before the first deployment.')
param functionAppName string = ''

@allowed(['Free_F1', 'Standard_S1', 'Premium_P1', 'Premium_P2'])
@description('Web PubSub SKU. Free_F1 has no SLA and a 20-connection cap.')
param webPubSubSku string = 'Standard_S1'

@minValue(1)
@maxValue(100)
@description('Web PubSub units (each Standard unit holds 1,000 concurrent connections). Free_F1 takes 1 only.')
param webPubSubCapacity int = 1

@description('Web PubSub hub the chat uses (WEBPUBSUB_HUB).')
param hubName string = 'chat'

@minValue(1)
@maxValue(1000)
@description('Upper bound of Function App instances the Flex Consumption plan may scale out to.')
param maximumInstanceCount int = 40

@description('Prefix of the app\'s tables: <prefix>Bans, <prefix>Audit, <prefix>Presence, <prefix>Rooms, <prefix>Rules, <prefix>Messages, <prefix>Queue, <prefix>Stats (TABLE_PREFIX).')
param tablePrefix string = 'moderator'

@description('App role value that grants the moderation endpoints (MODERATOR_ROLE); it must match the app role on the app registration.')
param moderatorRole string = 'moderator'

@description('Comma-separated origins of the static pages when hosted apart from the app, e.g. https://chat.contoso.com: allowed cross-origin (CORS_ORIGINS) and as sign-in return addresses. Empty: none.')
param corsOrigins string = ''

@description('Let people chat without signing in (ALLOW_ANONYMOUS). Moderation endpoints always need the moderator role.')
param allowAnonymous bool = false

@minValue(1)
@maxValue(1440)
@description('Lifetime in minutes of the client access tokens that negotiate hands out (CLIENT_TOKEN_MINUTES).')
param clientTokenMinutes int = 60

@description('Extra app settings (MODERATION_*, CONTENT_SAFETY_*, …), merged over the template\'s, e.g. { MODERATION_MAX_LENGTH: \'500\' }; unset ones keep the app defaults.')
param moderationSettings object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }
var appName = empty(functionAppName) ? 'func-${resourceToken}' : functionAppName
// Container names are lower case only; an app name may not be.
var deploymentContainerName = 'app-package-${toLower(take(appName, 32))}-${take(resourceToken, 7)}'
var tableNames = [for suffix in ['Bans', 'Audit', 'Presence', 'Rooms', 'Rules', 'Messages', 'Queue', 'Stats']: '${tablePrefix}${suffix}']
// Pages hosted on another origin call the API cross-origin and come back there after sign-in.
var pageOrigins = filter(map(split(corsOrigins, ','), origin => trim(origin)), origin => !empty(origin))

// Built-in role definition ids, as Azure publishes them: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// (test/unit/infra/deployment.test.ts holds a cited copy and compares).
var roles = {
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b4'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
// Blob: Flex deployment package and host storage. Table: the app's data. No queue role: the app has only HTTP
// triggers, and the Flex host needs queues only for Durable Functions and queue-based triggers.
var storageDataRoles = [roles.storageBlobDataOwner, roles.storageTableDataContributor]

// Entra ID endpoints. The tokens Web PubSub gets for the app registration are v1 tokens (issuer sts.windows.net)
// unless the registration asks for v2 access tokens; the signing keys are the same for both.
var tenantId = tenant().tenantId
var upstreamTokenIssuer = 'https://sts.windows.net/${tenantId}/'
var upstreamTokenJwksUri = '${environment().authentication.loginEndpoint}${tenantId}/discovery/v2.0/keys'
var signInIssuer = '${environment().authentication.loginEndpoint}${tenantId}/v2.0'

// ---------------------------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry is sent with the app's identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), never the ikey alone.
    DisableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Storage: Flex deployment package, Functions host storage, and the app's tables
// ---------------------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

// The app creates missing tables too, but only if its identity may; creating them here keeps first requests fast.
resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// ---------------------------------------------------------------------------------------------------------------
// Function App on the Flex Consumption plan
// ---------------------------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // No platform CORS: it would answer preflights itself and hide the app's CORS_ORIGINS handling.
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
  // The deployment container is named in functionAppConfig by value, not by reference.
  dependsOn: [deploymentContainer]
}

// The settings the app needs (src/settings.ts), with managed identity everywhere: no AZURE_CLIENT_ID (that would
// select a user-assigned identity), no WEBPUBSUB_ACCESS_KEYS (local auth is off), no TABLES_CONNECTION_STRING.
// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION; functionAppConfig.runtime
// takes their place. WEBSITE_AUTH_ENABLED is set by the platform because authsettingsV2 below is enabled.
// The operator's moderationSettings come last in union(), so they win over the template's values.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union({
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    WEBPUBSUB_ENDPOINT: 'https://${webPubSub.properties.hostName}'
    WEBPUBSUB_HUB: hubName
    TABLES_ENDPOINT: storage.properties.primaryEndpoints.table
    TABLE_PREFIX: tablePrefix
    UPSTREAM_TOKEN_ISSUER: upstreamTokenIssuer
    UPSTREAM_TOKEN_JWKS_URI: upstreamTokenJwksUri
    UPSTREAM_TOKEN_AUDIENCE: authClientId
    UPSTREAM_PRINCIPAL_ID: webPubSub.identity.principalId
    // Bearer tokens for the API are validated by the app too, not only by the platform (v1 and v2 issuers).
    API_TOKEN_ISSUER: '${upstreamTokenIssuer},${environment().authentication.loginEndpoint}${tenantId}/v2.0'
    API_TOKEN_AUDIENCE: '${authClientId},api://${authClientId}'
    API_TOKEN_JWKS_URI: upstreamTokenJwksUri
    MODERATOR_ROLE: moderatorRole
    CORS_ORIGINS: corsOrigins
    ALLOW_ANONYMOUS: allowAnonymous ? 'true' : 'false'
    CLIENT_TOKEN_MINUTES: string(clientTokenMinutes)
  }, moderationSettings)
}

// App Service Authentication (Easy Auth) with Entra ID. Anonymous requests pass through: the app decides (negotiate
// needs a signed-in user unless ALLOW_ANONYMOUS, moderation needs the role) from the x-ms-client-principal header
// the platform injects. No client secret is configured, so sign-in uses the ID-token (implicit) flow: the app
// registration must have ID tokens enabled.
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
      // Web PubSub calls this path with a managed identity token the app validates itself (issuer, keys,
      // audience, caller principal); Easy Auth stays out of it so its own token rules cannot reject those calls.
      excludedPaths: ['/api/webpubsub']
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: signInIssuer
        }
        validation: {
          allowedAudiences: [authClientId, 'api://${authClientId}']
        }
      }
    }
    login: {
      tokenStore: { enabled: true }
      allowedExternalRedirectUrls: pageOrigins
    }
  }
  // One configuration write at a time: concurrent writes to a site's config can fail with 409 Conflict.
  dependsOn: [appSettings]
}

// ---------------------------------------------------------------------------------------------------------------
// Azure Web PubSub
// ---------------------------------------------------------------------------------------------------------------

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: 'wps-${resourceToken}'
  location: location
  tags: tags
  kind: 'WebPubSub'
  sku: {
    name: webPubSubSku
    capacity: webPubSubCapacity
  }
  identity: { type: 'SystemAssigned' }
  properties: {
    // Entra ID only: the app signs REST calls and client tokens with its identity, never with access keys.
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: { clientCertEnabled: false }
    // Live Trace (portal → Live trace settings) for verifying connections and messages. The API documents two
    // categories, ConnectivityLogs and MessagingLogs (LiveTraceCategory in the Microsoft.SignalRService types).
    liveTraceConfiguration: {
      enabled: 'true'
      categories: [
        { name: 'ConnectivityLogs', enabled: 'true' }
        { name: 'MessagingLogs', enabled: 'true' }
      ]
    }
  }
}

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: hubName
  properties: {
    // Clients connect only with tokens from negotiate, never anonymously.
    anonymousConnectPolicy: 'Deny'
    eventHandlers: [
      {
        urlTemplate: 'https://${functionApp.properties.defaultHostName}/api/webpubsub'
        userEventPattern: '*'
        systemEvents: ['connect', 'connected', 'disconnected']
        auth: {
          type: 'ManagedIdentity'
          // The service asks Entra ID for a token with this audience and sends it as a bearer token.
          managedIdentity: { resource: authClientId }
        }
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments (names are deterministic guids so redeployments update rather than duplicate)
// ---------------------------------------------------------------------------------------------------------------

resource appWebPubSubOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(webPubSub.id, functionApp.id, roles.webPubSubServiceOwner)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageDataRoles: {
    name: guid(storage.id, functionApp.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: functionApp.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionApp.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// For debugging as the deploying user: read the tables, the deployment package, and open Live Trace with Entra ID.
resource userStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageDataRoles: if (!empty(principalId)) {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: principalType
    }
  }
]

resource userWebPubSubOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(webPubSub.id, principalId, roles.webPubSubServiceOwner)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
    principalId: principalId
    principalType: principalType
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment's .env)
// ---------------------------------------------------------------------------------------------------------------

output AZURE_FUNCTION_APP_NAME string = functionApp.name
output appUrl string = 'https://${functionApp.properties.defaultHostName}'
output negotiateUrl string = 'https://${functionApp.properties.defaultHostName}/api/negotiate'
output authRedirectUri string = 'https://${functionApp.properties.defaultHostName}/.auth/login/aad/callback'
output webPubSubEndpoint string = 'https://${webPubSub.properties.hostName}'
output webPubSubName string = webPubSub.name
output storageAccountName string = storage.name
