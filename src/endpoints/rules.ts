import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { changeConfiguration } from '../actions/configure.js';
import type { App } from '../app.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { roomSchema } from '../events/rooms.js';
import { parseWith, readJsonBody } from '../http/body.js';
import { json } from '../http/responses.js';
import { compileRegexRule } from '../moderation/index.js';
import { roomOf, roomScope, ruleScope } from '../scope.js';
import type { ListRuleRecord, RoomSettingsRecord } from '../store/types.js';
import { moderatorOnly } from './moderate.js';

/** Regular expressions run one by one on every message, so their number is bounded (words and domains are not). */
const maxRegexRulesPerScope = 100;

const roomSettingsSchema = z
  .object({
    slowModeSeconds: z.number().int().min(0).max(86_400).default(0),
    maxLength: z.number().int().min(1).max(100_000).optional(),
    linksAllowed: z.boolean().default(true),
  })
  .strict();

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .transform((value) => value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/.*$/, ''))
  .pipe(z.string().regex(/^(?:[a-z0-9-]+\.)*[a-z0-9-]+$/, 'a domain is a host name such as example.com'));

const ruleSchema = z
  .object({
    kind: z.enum(['word', 'regex', 'domain']),
    pattern: z.string().min(1).max(200),
    action: z.enum(['block', 'flag']),
    room: roomSchema.optional(),
  })
  .strict();

const rulesQuerySchema = z.object({ room: roomSchema.optional() });
const ruleIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'a rule id is 12 hex digits');

function settingsJson(app: App, room: string, record: RoomSettingsRecord | undefined) {
  return {
    room,
    slowModeSeconds: record?.slowModeSeconds ?? 0,
    // The room's own limit (absent: the app's applies), and the limit the handler enforces: the smaller of the two.
    ...(record?.maxLength === undefined ? {} : { maxLength: record.maxLength }),
    effectiveMaxLength: Math.min(
      record?.maxLength ?? app.settings.moderation.maxLength,
      app.settings.moderation.maxLength,
    ),
    linksAllowed: record?.linksAllowed ?? true,
    ...(record ? { updatedBy: record.updatedBy, updatedAt: record.updatedAt.toISOString() } : {}),
  };
}

/** `GET /api/moderate/rooms/{room}/settings`: the room's limits as the handler applies them. */
export const getRoomSettings = moderatorOnly(async (request, app) => {
  const room = parseWith(roomSchema, request.params.room, 'InvalidRoom', 'room');
  const record = await app.configuration.getRoomSettings(room);
  return json(200, settingsJson(app, room, record));
});

/** `PUT /api/moderate/rooms/{room}/settings` `{ slowModeSeconds?, maxLength?, linksAllowed? }`: replaces them. */
export const putRoomSettings = moderatorOnly(async (request, app, moderator) => {
  const room = parseWith(roomSchema, request.params.room, 'InvalidRoom', 'room');
  const body = await readJsonBody(request, roomSettingsSchema);
  const record: RoomSettingsRecord = {
    room,
    ...body,
    updatedBy: moderator.userId,
    updatedAt: app.now(),
  };
  const summary = `slow mode ${body.slowModeSeconds} s, max length ${body.maxLength ?? 'default'}, links ${body.linksAllowed ? 'allowed' : 'not allowed'}`;
  await changeConfiguration(app, { actor: moderator.userId, action: 'room-settings', room, reason: summary }, () =>
    app.configuration.putRoomSettings(record),
  );
  return json(200, settingsJson(app, room, record));
});

const ruleJson = (rule: ListRuleRecord) => ({ ...rule, createdAt: rule.createdAt.toISOString() });

/** `GET /api/moderate/rules?room=`: every rule, or the global ones and that room's. */
export const listRules = moderatorOnly(async (request, app) => {
  const { room } = parseWith(rulesQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
  const rules = (await app.configuration.listRules())
    .filter((rule) => !room || rule.scope === 'global' || rule.scope === roomScope(room))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return json(200, { rules: rules.map(ruleJson) });
});

/** `POST /api/moderate/rules` `{ kind, pattern, action, room? }` → 201 the rule; unsafe regexes are a 400 that says why. */
export const addRule = moderatorOnly(async (request, app, moderator) => {
  const body = await readJsonBody(request, ruleSchema);
  const scope = ruleScope(body.room);
  let pattern = body.pattern.trim();
  if (body.kind === 'domain') pattern = parseWith(domainSchema, pattern, 'InvalidBody', 'pattern');
  if (body.kind === 'regex') {
    pattern = body.pattern;
    const compiled = compileRegexRule(pattern);
    if (!compiled.ok) throw new BadRequestError(`pattern: ${compiled.reason}`, 'UnsafePattern');
    const regexes = (await app.configuration.listRules()).filter(
      (rule) => rule.kind === 'regex' && rule.scope === scope,
    );
    if (regexes.length >= maxRegexRulesPerScope) {
      throw new BadRequestError(`At most ${maxRegexRulesPerScope} regular expressions per scope.`, 'TooManyRules');
    }
  }
  if (pattern === '') throw new BadRequestError('pattern: empty', 'InvalidBody');
  const rule: ListRuleRecord = {
    id: randomBytes(6).toString('hex'),
    kind: body.kind,
    pattern,
    action: body.action,
    scope,
    createdBy: moderator.userId,
    createdAt: app.now(),
  };
  // The audit names the rule by id and kind only: patterns stay in the rules table.
  const draft = {
    actor: moderator.userId,
    action: 'add-rule',
    rule: `list:${rule.id}`,
    reason: `${rule.action} ${rule.kind} (${scope})`,
    ...(body.room ? { room: body.room } : {}),
  } as const;
  await changeConfiguration(app, draft, () => app.configuration.addRule(rule));
  return json(201, ruleJson(rule));
});

/** `DELETE /api/moderate/rules/{id}` → 204, or 404 `RuleNotFound`. */
export const deleteRule = moderatorOnly(async (request, app, moderator) => {
  const id = parseWith(ruleIdSchema, request.params.id, 'InvalidRuleId', 'id');
  const rule = (await app.configuration.listRules()).find((candidate) => candidate.id === id);
  if (!rule) throw new NotFoundError(`There is no rule '${id}'.`, 'RuleNotFound');
  const room = roomOf(rule.scope);
  const draft = {
    actor: moderator.userId,
    action: 'delete-rule',
    rule: `list:${id}`,
    reason: `${rule.action} ${rule.kind} (${rule.scope})`,
    ...(room ? { room } : {}),
  } as const;
  await changeConfiguration(app, draft, () => app.configuration.deleteRule(rule.scope, id));
  return { status: 204 };
});
