import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { describeIssues } from '../http/body.js';

/** The `ce-*` headers of a Web PubSub upstream request in CloudEvents binary mode. */
const cloudEventHeadersSchema = z.object({
  'ce-specversion': z.literal('1.0'),
  'ce-type': z
    .string()
    .regex(/^azure\.webpubsub\.(sys|user)\.[^\s]{1,128}$/, 'must be azure.webpubsub.sys.* or .user.*'),
  'ce-hub': z.string().min(1).max(128),
  'ce-connectionid': z.string().min(1).max(256),
  'ce-eventname': z.string().min(1).max(128),
  'ce-userid': z.string().max(1024).optional(),
  'ce-connectionstate': z.string().max(8192).optional(),
  'ce-signature': z.string().max(2048).optional(),
  // Every event the service sends carries it (https://learn.microsoft.com/azure/azure-web-pubsub/reference-cloud-events):
  // without it the freshness check would have nothing to check, so a captured request could be replayed for ever.
  'ce-time': z.iso.datetime({ offset: true }),
});

export type SystemEventName = 'connect' | 'connected' | 'disconnected';

export interface UpstreamEvent {
  kind: 'system' | 'user';
  /** `connect`, `connected`, `disconnected`, or the user event's name (`message` for simple clients). */
  name: string;
  hub: string;
  connectionId: string;
  userId: string | undefined;
  connectionState: string | undefined;
  signature: string | undefined;
  time: Date;
}

const header = (headers: Headers, name: string) => headers.get(name) ?? undefined;

/** Reads the CloudEvents headers; anything missing or malformed is a 400 that names the header. */
export function parseCloudEvent(headers: Headers): UpstreamEvent {
  // One object literal of a fixed shape: filled key by key, every event would grow a new one.
  const raw = {
    'ce-specversion': header(headers, 'ce-specversion'),
    'ce-type': header(headers, 'ce-type'),
    'ce-hub': header(headers, 'ce-hub'),
    'ce-connectionid': header(headers, 'ce-connectionid'),
    'ce-eventname': header(headers, 'ce-eventname'),
    'ce-userid': header(headers, 'ce-userid'),
    'ce-connectionstate': header(headers, 'ce-connectionstate'),
    'ce-signature': header(headers, 'ce-signature'),
    'ce-time': header(headers, 'ce-time'),
  } satisfies Record<keyof typeof cloudEventHeadersSchema.shape, string | undefined>;
  const parsed = cloudEventHeadersSchema.safeParse(raw);
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error), 'InvalidCloudEvent');
  const h = parsed.data;
  const kind = h['ce-type'].startsWith('azure.webpubsub.sys.') ? 'system' : 'user';
  return {
    kind,
    name: kind === 'system' ? h['ce-type'].slice('azure.webpubsub.sys.'.length) : h['ce-eventname'],
    hub: h['ce-hub'],
    connectionId: h['ce-connectionid'],
    userId: h['ce-userid'] || undefined,
    connectionState: h['ce-connectionstate'],
    signature: h['ce-signature'],
    time: new Date(h['ce-time']),
  };
}
