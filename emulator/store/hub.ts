import type { OutboundMessage } from '../protocol/outbound-message.js';
import type { Connection } from './connection.js';

/** Connections, groups and users of one hub. Group and user names are case-sensitive. */
export class Hub {
  readonly connections = new Map<string, Connection>();
  private readonly groups = new Map<string, Set<Connection>>();
  private readonly users = new Map<string, Set<Connection>>();

  constructor(readonly name: string) {}

  add(connection: Connection): void {
    this.connections.set(connection.id, connection);
    if (connection.userId !== undefined) addTo(this.users, connection.userId, connection);
  }

  remove(connection: Connection): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    this.leaveAllGroups(connection);
    if (connection.userId !== undefined) removeFrom(this.users, connection.userId, connection);
  }

  joinGroup(connection: Connection, group: string): void {
    if (connection.groups.has(group)) return;
    connection.groups.add(group);
    addTo(this.groups, group, connection);
  }

  leaveGroup(connection: Connection, group: string): void {
    if (!connection.groups.delete(group)) return;
    removeFrom(this.groups, group, connection);
  }

  leaveAllGroups(connection: Connection): void {
    for (const group of connection.groups) removeFrom(this.groups, group, connection);
    connection.groups.clear();
  }

  groupMembers(group: string): ReadonlySet<Connection> {
    return this.groups.get(group) ?? emptySet;
  }

  userConnections(userId: string): ReadonlySet<Connection> {
    return this.users.get(userId) ?? emptySet;
  }

  /** Sends one message to every target; the message serializes itself once per wire form. */
  deliver(
    targets: Iterable<Connection>,
    message: OutboundMessage,
    include?: (connection: Connection) => boolean,
  ): void {
    for (const connection of targets) {
      if (include === undefined || include(connection)) connection.deliver(message);
    }
  }
}

const emptySet: ReadonlySet<Connection> = new Set();

function addTo(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let members = index.get(key);
  if (!members) {
    members = new Set();
    index.set(key, members);
  }
  members.add(connection);
}

function removeFrom(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const members = index.get(key);
  if (!members) return;
  members.delete(connection);
  if (members.size === 0) index.delete(key);
}

/** Hubs by lowercased name, created on first use. */
export class HubRegistry {
  private readonly hubs = new Map<string, Hub>();

  get(name: string): Hub {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = new Hub(key);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  all(): IterableIterator<Hub> {
    return this.hubs.values();
  }
}
