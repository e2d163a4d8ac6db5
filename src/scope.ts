/**
 * Where a sanction or a list rule applies: everywhere, or in one room (`room:<room>`). Sanctions call everywhere
 * `app` and list rules `global`, as the API has always answered and Table Storage keys them.
 */
export type RoomScope = `room:${string}`;
export type SanctionScope = 'app' | RoomScope;
export type RuleScope = 'global' | RoomScope;

const roomPrefix = 'room:';

export const roomScope = (room: string): RoomScope => `${roomPrefix}${room}`;

/** The room a scope names; undefined for everywhere. */
export const roomOf = (scope: string): string | undefined =>
  scope.startsWith(roomPrefix) ? scope.slice(roomPrefix.length) : undefined;

/** A sanction's scope: the room's, or the whole app's without one. */
export const sanctionScope = (room: string | undefined): SanctionScope => (room ? roomScope(room) : 'app');

/** A list rule's scope: the room's, or every room's without one. */
export const ruleScope = (room: string | undefined): RuleScope => (room ? roomScope(room) : 'global');
