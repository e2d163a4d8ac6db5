import { key, unkey } from './rows.js';

/**
 * Table Storage serves one partition at up to about 2,000 entities a second (1 KiB entities) and an account at
 * 20,000 ("Scalability and performance targets for Table storage", learn.microsoft.com/azure/storage/tables/
 * scalability-targets). A room's roster and its message records are written once per join and per line, so one
 * partition per room would cap a room at 2,000 joins or lines a second (a 50,000-viewer room filling in a minute is
 * 833 joins a second on average, its bursts far above). They are spread over `roomShards` partitions, each row's
 * shard fixed by its own id, so a point read stays one read and a room's listing reads its shards in parallel.
 */
export const roomShards = 16;

/** FNV-1a of `value`, modulo `count`: a stable, even spread of ids over shards. */
export function shardOf(value: string, count: number): number {
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  return (hash >>> 0) % count;
}

/** `<room>~<shard>`: room names hold no `~` (letters, digits, `_` and `-`), so the room reads back unambiguously. */
export const roomPartition = (room: string, id: string): string =>
  `${key(room)}~${shardOf(id, roomShards).toString(16)}`;

/** Every partition of a room, for a listing that fans out over them. */
export const roomPartitions = (room: string): string[] =>
  Array.from({ length: roomShards }, (_, shard) => `${key(room)}~${shard.toString(16)}`);

/**
 * The room a partition key belongs to; undefined for a partition of the layout before sharding (one per room), whose
 * rows are left unread: presence rows of connections from then, and message records past their retention anyway.
 */
export function roomOfPartition(partitionKey: string): string | undefined {
  const sharded = /^(.*)~[0-9a-f]+$/.exec(partitionKey);
  return sharded ? unkey(sharded[1] ?? '') : undefined;
}
