import { WebPubSubClient } from '@azure/web-pubsub-client';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Chatter, callApi, eventually, signIn } from './support/chat-client.js';
import { cloudEventHeaders } from './support/upstream.js';

/** `bearer-*`: an Entra ID access token for the API in `Authorization`, as a script sends it (no session cookie). */
type Caller =
  | 'nobody'
  | 'chatter'
  | 'moderator'
  | 'spoofed'
  | 'chatter+spoofed'
  | 'bearer-moderator'
  | 'bearer-chatter'
  | 'bearer-forged';

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The answer for each caller: status and, for errors, the code. */
  expect: Record<Caller, Answer>;
}

type Answer = [number, string?];
const signedInOnly: Record<'nobody' | 'spoofed' | 'bearer-forged', Answer> = {
  nobody: [401, 'Unauthorized'],
  spoofed: [401, 'Unauthorized'],
  'bearer-forged': [401, 'InvalidToken'],
};
const moderatorsOnly = (moderator: Answer): Record<Caller, Answer> => ({
  ...signedInOnly,
  chatter: [403, 'RoleRequired'],
  'chatter+spoofed': [403, 'RoleRequired'],
  'bearer-chatter': [403, 'RoleRequired'],
  moderator,
  'bearer-moderator': moderator,
});
const everyone = (answer: Answer): Record<Caller, Answer> => ({
  nobody: answer,
  chatter: answer,
  moderator: answer,
  spoofed: answer,
  'chatter+spoofed': answer,
  'bearer-moderator': answer,
  'bearer-chatter': answer,
  'bearer-forged': answer,
});
const signedInAnswer = (answer: Answer): Record<Caller, Answer> => ({
  ...signedInOnly,
  chatter: answer,
  'chatter+spoofed': answer,
  moderator: answer,
  'bearer-moderator': answer,
  'bearer-chatter': answer,
});

const endpoints: Endpoint[] = [
  {
    method: 'GET',
    path: '/api/negotiate',
    expect: signedInAnswer([200]),
  },
  {
    method: 'POST',
    path: '/api/negotiate',
    expect: signedInAnswer([200]),
  },
  // A console connection joins the moderators' group: the moderator role only.
  { method: 'GET', path: '/api/negotiate?console=true', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/negotiate?console=yes', expect: signedInAnswer([400, 'InvalidQuery']) },
  {
    method: 'POST',
    path: '/api/moderate/evict',
    body: { connectionId: 'authz-no-such-connection', permission: 'sendToGroup', reason: 'authz matrix' },
    expect: moderatorsOnly([404, 'TargetNotFound']),
  },
  { method: 'GET', path: '/api/moderate/bans', expect: moderatorsOnly([200]) },
  { method: 'DELETE', path: '/api/moderate/bans/authz-nobody', expect: moderatorsOnly([404, 'NotBanned']) },
  { method: 'GET', path: '/api/moderate/audit?limit=5', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/moderate/rooms', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/moderate/stats?window=day', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/moderate/users/authz-nobody', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/moderate/messages?room=authz-room&q=x', expect: moderatorsOnly([200]) },
  { method: 'GET', path: '/api/moderate/messages?user=authz-user', expect: moderatorsOnly([200]) },
  {
    method: 'GET',
    path: '/api/moderate/queue/nosuchroom.nosuchline/context',
    expect: moderatorsOnly([404, 'QueueItemNotFound']),
  },
  { method: 'GET', path: '/api/moderate/stats?window=week', expect: moderatorsOnly([400, 'InvalidQuery']) },
  { method: 'GET', path: '/api/moderate/rooms/authz-room/connections', expect: moderatorsOnly([200]) },
  {
    method: 'POST',
    path: '/api/announce',
    body: { message: 'authz matrix', room: 'authz-empty-room' },
    expect: moderatorsOnly([200]),
  },
  // Writes are sent with a body the schema refuses: a moderator's 400 shows the role check passed, and changes nothing.
  { method: 'POST', path: '/api/moderate/bans', body: {}, expect: moderatorsOnly([400, 'InvalidBody']) },
  { method: 'GET', path: '/api/moderate/rooms/authz-room/settings', expect: moderatorsOnly([200]) },
  {
    method: 'PUT',
    path: '/api/moderate/rooms/authz-room/settings',
    body: { slowModeSeconds: -1 },
    expect: moderatorsOnly([400, 'InvalidBody']),
  },
  { method: 'GET', path: '/api/moderate/rules', expect: moderatorsOnly([200]) },
  { method: 'POST', path: '/api/moderate/rules', body: {}, expect: moderatorsOnly([400, 'InvalidBody']) },
  { method: 'DELETE', path: '/api/moderate/rules/000000000000', expect: moderatorsOnly([404, 'RuleNotFound']) },
  { method: 'GET', path: '/api/moderate/queue', expect: moderatorsOnly([200]) },
  {
    method: 'POST',
    path: '/api/moderate/queue/authz-room.no-such-message',
    body: { action: 'dismiss' },
    expect: moderatorsOnly([404, 'QueueItemNotFound']),
  },
  { method: 'GET', path: '/api/moderate/mutes', expect: moderatorsOnly([200]) },
  { method: 'POST', path: '/api/moderate/mutes', body: {}, expect: moderatorsOnly([400, 'InvalidBody']) },
  {
    method: 'DELETE',
    path: '/api/moderate/mutes/authz-nobody?room=authz-room',
    expect: moderatorsOnly([404, 'NotMuted']),
  },
  { method: 'GET', path: '/api/moderate/shadow-bans', expect: moderatorsOnly([200]) },
  { method: 'POST', path: '/api/moderate/shadow-bans', body: {}, expect: moderatorsOnly([400, 'InvalidBody']) },
  {
    method: 'DELETE',
    path: '/api/moderate/shadow-bans/authz-nobody',
    expect: moderatorsOnly([404, 'NotShadowBanned']),
  },
  // The event handler trusts only Web PubSub's token, whoever is signed in.
  {
    method: 'POST',
    path: '/api/webpubsub',
    headers: cloudEventHeaders({ type: 'connect', userId: 'authz-chatter' }),
    body: {},
    // A user's token for the API is signed by the tenant and has the hub's audience, but is not Web PubSub's.
    expect: {
      ...everyone([401, 'MissingToken']),
      'bearer-moderator': [401, 'UnexpectedPrincipal'],
      'bearer-chatter': [401, 'UnexpectedPrincipal'],
      'bearer-forged': [401, 'InvalidToken'],
    },
  },
  { method: 'OPTIONS', path: '/api/webpubsub', expect: everyone([403, 'OriginNotAllowed']) },
];

/** A principal header claiming the moderator role, as an attacker would write it. */
const spoofedHeaders = {
  'x-ms-client-principal': Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      role_typ: 'roles',
      claims: [
        { typ: 'roles', val: 'moderator' },
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'spoofed-moderator' },
      ],
    }),
  ).toString('base64'),
  'x-ms-client-principal-id': 'spoofed-moderator',
  'x-ms-client-principal-name': 'spoofed-moderator',
  'x-ms-client-principal-idp': 'aad',
};

const cookies: Partial<Record<Caller, string>> = {};
const bearers: Partial<Record<Caller, string>> = {};

/** What `az account get-access-token --resource <api>` returns for the user, from the local identity endpoint. */
async function userAccessToken(userId: string, roles: string[]): Promise<string> {
  const { userTokenEndpoint, identityHeader, upstreamAudience } = inject('stack');
  const url = new URL(userTokenEndpoint);
  url.search = new URLSearchParams({ resource: upstreamAudience, userId, roles: roles.join(',') }).toString();
  const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': identityHeader } });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

beforeAll(async () => {
  cookies.chatter = await signIn('authz-chatter');
  cookies['chatter+spoofed'] = cookies.chatter;
  cookies.moderator = await signIn('authz-moderator', ['moderator']);
  bearers['bearer-moderator'] = await userAccessToken('authz-bearer-moderator', ['moderator']);
  bearers['bearer-chatter'] = await userAccessToken('authz-bearer-chatter', []);
  // The moderator's claims, signed with a key the tenant never published.
  const { privateKey } = await generateKeyPair('RS256');
  const genuine = JSON.parse(Buffer.from(bearers['bearer-moderator'].split('.')[1] ?? '', 'base64url').toString());
  bearers['bearer-forged'] = await new SignJWT(genuine)
    .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
    .sign(privateKey);
});

const rows = endpoints.flatMap((endpoint) =>
  (Object.keys(endpoint.expect) as Caller[]).map((caller) => {
    const [status, code] = endpoint.expect[caller];
    return { ...endpoint, caller, status, code: code ?? '-' };
  }),
);

describe('authorization matrix: every endpoint × every kind of caller', () => {
  it.each(rows)(
    '$method $path as $caller → $status $code',
    async ({ method, path, body, caller, status, code, ...rest }) => {
      const headers: Record<string, string> = {
        ...rest.headers,
        ...(caller.endsWith('spoofed') ? spoofedHeaders : {}),
        ...(bearers[caller] ? { authorization: `Bearer ${bearers[caller]}` } : {}),
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await callApi(path, cookies[caller], {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(status);
      if (code !== '-') expect(JSON.parse(text)).toMatchObject({ code, message: expect.any(String) });
      if (path === '/api/negotiate' && status === 200) {
        // Whoever asks, the URL is for the signed-in user, never for the spoofed one.
        const expected = caller.startsWith('bearer-')
          ? `authz-${caller}`
          : caller === 'moderator'
            ? 'authz-moderator'
            : 'authz-chatter';
        expect(JSON.parse(text)).toMatchObject({ userId: expected });
      }
    },
  );
});

describe('client tokens are least-privilege', () => {
  const stops: (() => void)[] = [];
  afterAll(() => {
    for (const stop of stops) stop();
  });

  it("refuses a chat client's own sendToGroup and joinGroup frames, even in the room it joined", async () => {
    const member = await Chatter.connect('authz-member');
    stops.push(() => member.stop());
    expect(await member.join('authz-room')).toMatchObject({ type: 'joined' });

    const negotiate = await callApi('/api/negotiate', await signIn('authz-intruder'));
    const { url } = (await negotiate.json()) as { url: string };
    // No retries: a refused ack is final, and the SDK would otherwise try three more times.
    const intruder = new WebPubSubClient(url, { messageRetryOptions: { maxRetries: 0 } });
    stops.push(() => intruder.stop());
    await intruder.start();
    const groupMessages: { data: unknown; fromUserId: string | undefined }[] = [];
    member.client.on('group-message', ({ message }) =>
      groupMessages.push({ data: message.data, fromUserId: message.fromUserId }),
    );

    const forbidden = { errorDetail: { name: 'Forbidden' } };
    await expect(intruder.joinGroup('authz-room')).rejects.toMatchObject(forbidden);
    await expect(intruder.joinGroup('another-room')).rejects.toMatchObject(forbidden);
    await expect(intruder.sendToGroup('authz-room', 'unmoderated', 'text')).rejects.toMatchObject(forbidden);
    // The member itself, in the room through the app, may not bypass moderation either.
    await expect(
      member.client.sendToGroup('authz-room', 'unmoderated', 'text', { noEcho: true }),
    ).rejects.toMatchObject(forbidden);

    // A moderated line sent afterwards arrives, sent to the room by the app (no client sender); the direct ones never did.
    const marker = await member.chat('authz-room', 'moderated hello');
    expect(marker).toMatchObject({ type: 'accepted' });
    await eventually(() => member.chats.find((message) => message.id === marker.id));
    expect(groupMessages).toEqual([
      { data: expect.objectContaining({ id: marker.id, text: 'moderated hello' }), fromUserId: undefined },
    ]);
  });
});
