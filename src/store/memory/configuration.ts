import { randomBytes } from 'node:crypto';
import type { ConfigurationStore, ListRuleRecord, RoomSettingsRecord } from '../types.js';

export class MemoryConfigurationStore implements ConfigurationStore {
  private version = 'initial';
  private readonly roomSettings = new Map<string, RoomSettingsRecord>();
  private readonly rules = new Map<string, ListRuleRecord>();

  async getConfigVersion(): Promise<string> {
    return this.version;
  }

  async bumpConfigVersion(): Promise<void> {
    this.version = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  async listRoomSettings(): Promise<RoomSettingsRecord[]> {
    return [...this.roomSettings.values()].map((settings) => ({ ...settings }));
  }

  async getRoomSettings(room: string): Promise<RoomSettingsRecord | undefined> {
    const settings = this.roomSettings.get(room);
    return settings && { ...settings };
  }

  async putRoomSettings(settings: RoomSettingsRecord): Promise<void> {
    this.roomSettings.set(settings.room, { ...settings });
  }

  async listRules(): Promise<ListRuleRecord[]> {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  async addRule(rule: ListRuleRecord): Promise<void> {
    const id = `${rule.scope}/${rule.id}`;
    // As Table Storage's insert: an existing row is a conflict.
    if (this.rules.has(id)) throw new Error(`The rule ${rule.id} exists already in ${rule.scope}.`);
    this.rules.set(id, { ...rule });
  }

  async deleteRule(scope: ListRuleRecord['scope'], id: string): Promise<boolean> {
    return this.rules.delete(`${scope}/${id}`);
  }
}
