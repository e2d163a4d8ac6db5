import { z } from 'zod';
import { SettingsError } from './errors.js';
import type { ApiTokenSettings } from './http/principal.js';
import { type ModerationPolicy, moderationPolicySchema } from './moderation/policy.js';

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
const flag = z
  .enum(['true', 'false', 'True', 'False', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === 'True' || value === '1');
const httpsUrl = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Moderation policy settings: environment variable → policy field (validated by the policy's own schema). */
const moderationEnvironment = {
  MODERATION_MAX_LENGTH: 'maxLength',
  MODERATION_RATE_MESSAGES: 'rateMessages',
  MODERATION_RATE_WINDOW_SECONDS: 'rateWindowSeconds',
  MODERATION_RATE_REFUSALS_PER_STRIKE: 'rateRefusalsPerStrike',
  MODERATION_FLOOD_REPEATS: 'floodRepeats',
  MODERATION_FLOOD_WINDOW_SECONDS: 'floodWindowSeconds',
  MODERATION_MUTE_AFTER_STRIKES: 'mutedAfterStrikes',
  MODERATION_MUTE_SECONDS: 'muteSeconds',
  MODERATION_EVICT_AFTER_STRIKES: 'evictAfterStrikes',
  MODERATION_BAN_MINUTES: 'banMinutes',
  MODERATION_STRIKE_DECAY_MINUTES: 'strikeDecayMinutes',
  MODERATION_BLOCKLIST: 'blocklist',
  MODERATION_LANGUAGES: 'languages',
} as const satisfies Record<string, keyof ModerationPolicy>;

/** Severity (0, 2, 4, 6 with FourSeverityLevels) at or above which Content Safety's verdict refuses a message. */
const defaultContentSafetyThresholds = { Hate: 4, SelfHarm: 4, Sexual: 4, Violence: 4 };

/** Every setting the app reads, by its environment variable name. */
const environmentSchema = z.object({
  WEBPUBSUB_ENDPOINT: httpsUrl,
  WEBPUBSUB_HUB: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/, 'must be a valid Web PubSub hub name')
    .default('chat'),
  WEBPUBSUB_CLIENT_ENDPOINT: httpsUrl.optional(),
  UPSTREAM_ALLOWED_ORIGINS: csv,
  UPSTREAM_TOKEN_ISSUER: z.string().min(1).optional(),
  UPSTREAM_TOKEN_JWKS_URI: z.url().optional(),
  UPSTREAM_TOKEN_AUDIENCE: z.string().min(1).optional(),
  UPSTREAM_PRINCIPAL_ID: z.string().min(1).optional(),
  API_TOKEN_ISSUER: csv,
  API_TOKEN_AUDIENCE: csv,
  API_TOKEN_JWKS_URI: z.url().optional(),
  WEBPUBSUB_ACCESS_KEYS: csv,
  TABLES_ENDPOINT: httpsUrl.optional(),
  TABLES_CONNECTION_STRING: z.string().min(1).optional(),
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/, 'letters and digits, starting with a letter')
    .default('moderator'),
  CLIENT_TOKEN_MINUTES: positiveInt(60),
  MODERATOR_ROLE: z.string().min(1).default('moderator'),
  ALLOW_ANONYMOUS: flag,
  WEBSITE_AUTH_ENABLED: flag,
  // Credentialed requests (the pages send the session cookie) need each origin named: `*` would let any site call
  // the API as the signed-in user.
  CORS_ORIGINS: csv.refine((origins) => !origins.includes('*'), 'name each origin; * is not allowed with sign-in'),
  AZURE_CLIENT_ID: z.string().min(1).optional(),
  RULES_CACHE_SECONDS: z.coerce.number().min(0).max(5).default(5),
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  REPORTS_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(20),
  MESSAGE_RETENTION_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  CONTENT_SAFETY_ENDPOINT: httpsUrl.optional(),
  CONTENT_SAFETY_FAILURE: z.enum(['open', 'closed']).default('open'),
  CONTENT_SAFETY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  CONTENT_SAFETY_THRESHOLDS: z
    .string()
    .optional()
    .transform((value, context) => {
      const thresholds: Record<string, number> = { ...defaultContentSafetyThresholds };
      for (const pair of (value ?? '').split(',').filter((item) => item.trim() !== '')) {
        const match = /^\s*([A-Za-z]+)\s*=\s*(\d)\s*$/.exec(pair);
        if (!match?.[1] || !match[2] || Number(match[2]) > 7) {
          context.addIssue({ code: 'custom', message: `'${pair.trim()}' is not Category=severity (0-7)` });
          return z.NEVER;
        }
        thresholds[match[1]] = Number(match[2]);
      }
      return thresholds;
    }),
});

/** Rules across settings, checked on the raw values so they are reported together with every other problem. */
function combinationProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const tokenNames = [
    'UPSTREAM_TOKEN_ISSUER',
    'UPSTREAM_TOKEN_JWKS_URI',
    'UPSTREAM_TOKEN_AUDIENCE',
    'UPSTREAM_PRINCIPAL_ID',
  ];
  const tokenSet = tokenNames.filter((name) => env[name]);
  if (tokenSet.length > 0 && tokenSet.length < tokenNames.length) {
    problems.push(
      `UPSTREAM_TOKEN_*: set all of ${tokenNames.join(', ')} (missing ${tokenNames.filter((n) => !env[n]).join(', ')})`,
    );
  }
  if (tokenSet.length === 0 && !env.WEBPUBSUB_ACCESS_KEYS) {
    problems.push(
      'UPSTREAM_TOKEN_*: upstream requests cannot be authenticated: set UPSTREAM_TOKEN_* (managed identity) or WEBPUBSUB_ACCESS_KEYS',
    );
  }
  const apiTokenNames = ['API_TOKEN_ISSUER', 'API_TOKEN_AUDIENCE', 'API_TOKEN_JWKS_URI'];
  const apiTokenSet = apiTokenNames.filter((name) => env[name]);
  if (apiTokenSet.length > 0 && apiTokenSet.length < apiTokenNames.length) {
    problems.push(
      `API_TOKEN_*: set all of ${apiTokenNames.join(', ')} (missing ${apiTokenNames.filter((n) => !env[n]).join(', ')})`,
    );
  }
  if (!env.TABLES_ENDPOINT === !env.TABLES_CONNECTION_STRING) {
    problems.push(
      'TABLES_ENDPOINT: set exactly one of TABLES_ENDPOINT (managed identity) or TABLES_CONNECTION_STRING (local Azurite)',
    );
  }
  return problems;
}

export interface UpstreamTokenSettings {
  issuer: string;
  jwksUri: string;
  audience: string;
  principalId: string;
}

export interface ContentSafetySettings {
  endpoint: string;
  /** `open` delivers messages when the service fails; `closed` refuses them. Every failure is logged. */
  failure: 'open' | 'closed';
  timeoutMs: number;
  /** Category → lowest severity that refuses. */
  thresholds: Record<string, number>;
}

export interface Settings {
  webPubSub: { endpoint: string; hub: string; clientEndpoint: string | undefined };
  upstream: { allowedOrigins: string[]; token: UpstreamTokenSettings | undefined; accessKeys: string[] };
  tables: { endpoint: string; connectionString: undefined } | { endpoint: undefined; connectionString: string };
  tablePrefix: string;
  clientTokenMinutes: number;
  moderatorRole: string;
  allowAnonymous: boolean;
  /** The platform's authentication (Easy Auth) is on, so `x-ms-client-principal` can be trusted. */
  platformAuthEnabled: boolean;
  /** Bearer tokens for the API that the app validates itself (moderators calling from a script). */
  apiToken: ApiTokenSettings | undefined;
  corsOrigins: string[];
  managedIdentityClientId: string | undefined;
  moderation: ModerationPolicy;
  /** How long the event handler reuses its snapshot of rules, room settings and sanctions. */
  rulesCacheSeconds: number;
  /** Concurrent connections a user may hold; the connect event refuses one more. */
  maxConnectionsPerUser: number;
  /** Reports a user may file in an hour, across all their connections. */
  reportsPerHour: number;
  /** How long delivered messages can be reported (and deleted) by id. */
  messageRetentionHours: number;
  contentSafety: ContentSafetySettings | undefined;
}

/** How long chat lines are kept (message records, and each user's latest lines), in milliseconds. */
export const messageRetentionMs = (settings: Pick<Settings, 'messageRetentionHours'>) =>
  settings.messageRetentionHours * 3_600_000;

/** Reads and validates every setting once; throws one SettingsError listing every problem. */
export function loadSettings(rawEnv: Record<string, string | undefined>): Settings {
  // An empty value means "not set" (App Service and local.settings.json write empty strings for cleared settings).
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(env);
  const policyInput = Object.fromEntries(
    Object.entries(moderationEnvironment)
      .filter(([name]) => env[name] !== undefined)
      .map(([name, field]) => [field, env[name]]),
  );
  const policy = moderationPolicySchema.safeParse(policyInput);
  const fieldToName = new Map(Object.entries(moderationEnvironment).map(([name, field]) => [field as string, name]));
  const combination = combinationProblems(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`)),
    ...(policy.success
      ? []
      : policy.error.issues.map(
          (issue) => `${fieldToName.get(String(issue.path[0])) ?? 'MODERATION'}: ${issue.message}`,
        )),
    ...combination,
  ];
  if (!parsed.success || !policy.success || combination.length > 0) throw new SettingsError(problems);
  const e = parsed.data;
  const endpointHost = new URL(e.WEBPUBSUB_ENDPOINT).hostname;
  return {
    webPubSub: { endpoint: e.WEBPUBSUB_ENDPOINT, hub: e.WEBPUBSUB_HUB, clientEndpoint: e.WEBPUBSUB_CLIENT_ENDPOINT },
    upstream: {
      allowedOrigins: e.UPSTREAM_ALLOWED_ORIGINS.length > 0 ? e.UPSTREAM_ALLOWED_ORIGINS : [endpointHost],
      token:
        e.UPSTREAM_TOKEN_ISSUER && e.UPSTREAM_TOKEN_JWKS_URI && e.UPSTREAM_TOKEN_AUDIENCE && e.UPSTREAM_PRINCIPAL_ID
          ? {
              issuer: e.UPSTREAM_TOKEN_ISSUER,
              jwksUri: e.UPSTREAM_TOKEN_JWKS_URI,
              audience: e.UPSTREAM_TOKEN_AUDIENCE,
              principalId: e.UPSTREAM_PRINCIPAL_ID,
            }
          : undefined,
      accessKeys: e.WEBPUBSUB_ACCESS_KEYS,
    },
    tables: e.TABLES_ENDPOINT
      ? { endpoint: e.TABLES_ENDPOINT, connectionString: undefined }
      : { endpoint: undefined, connectionString: e.TABLES_CONNECTION_STRING ?? '' },
    tablePrefix: e.TABLE_PREFIX,
    clientTokenMinutes: e.CLIENT_TOKEN_MINUTES,
    moderatorRole: e.MODERATOR_ROLE,
    allowAnonymous: e.ALLOW_ANONYMOUS,
    platformAuthEnabled: e.WEBSITE_AUTH_ENABLED,
    apiToken:
      e.API_TOKEN_JWKS_URI && e.API_TOKEN_ISSUER.length > 0 && e.API_TOKEN_AUDIENCE.length > 0
        ? { issuers: e.API_TOKEN_ISSUER, audiences: e.API_TOKEN_AUDIENCE, jwksUri: e.API_TOKEN_JWKS_URI }
        : undefined,
    corsOrigins: e.CORS_ORIGINS,
    managedIdentityClientId: e.AZURE_CLIENT_ID,
    moderation: policy.data,
    rulesCacheSeconds: e.RULES_CACHE_SECONDS,
    maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    reportsPerHour: e.REPORTS_PER_HOUR,
    messageRetentionHours: e.MESSAGE_RETENTION_HOURS,
    contentSafety: e.CONTENT_SAFETY_ENDPOINT
      ? {
          endpoint: e.CONTENT_SAFETY_ENDPOINT,
          failure: e.CONTENT_SAFETY_FAILURE,
          timeoutMs: e.CONTENT_SAFETY_TIMEOUT_MS,
          thresholds: e.CONTENT_SAFETY_THRESHOLDS,
        }
      : undefined,
  };
}
