import type { PresenceEntry, PresenceStore, UserConnection } from '../types.js';

export class MemoryPresenceStore implements PresenceStore {
  private readonly rosters = new Map<string, PresenceEntry>();
  private readonly connections = new Map<string, Map<string, UserConnection>>();

  async joinRoom(entry: PresenceEntry): Promise<void> {
    this.rosters.set(`${entry.room}/${entry.connectionId}`, { ...entry });
  }

  async leaveRoom(room: string, connectionId: string): Promise<void> {
    this.rosters.delete(`${room}/${connectionId}`);
  }

  async getPresence(room: string, connectionId: string): Promise<PresenceEntry | undefined> {
    const entry = this.rosters.get(`${room}/${connectionId}`);
    return entry && { ...entry };
  }

  async listRoom(room: string): Promise<PresenceEntry[]> {
    return [...this.rosters.values()].filter((entry) => entry.room === room).map((entry) => ({ ...entry }));
  }

  async listRooms(): Promise<{ room: string; connections: number }[]> {
    const counts = new Map<string, number>();
    for (const { room } of this.rosters.values()) counts.set(room, (counts.get(room) ?? 0) + 1);
    return [...counts]
      .map(([room, connections]) => ({ room, connections }))
      .sort((a, b) => a.room.localeCompare(b.room));
  }

  async listConnections(userId: string): Promise<UserConnection[]> {
    return [...(this.connections.get(userId)?.values() ?? [])].map((connection) => ({ ...connection }));
  }

  async registerConnection(userId: string, connection: UserConnection): Promise<void> {
    const own = this.connections.get(userId) ?? new Map<string, UserConnection>();
    own.set(connection.connectionId, { ...connection });
    this.connections.set(userId, own);
  }

  async unregisterConnection(userId: string, connectionId: string): Promise<void> {
    this.connections.get(userId)?.delete(connectionId);
  }
}
