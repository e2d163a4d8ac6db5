export type SystemEventName = 'connect' | 'connected' | 'disconnected';

export interface EventHandlerSettings {
  /** May contain {hub} and {event}. */
  urlTemplate: string;
  /** '*' | 'a,b'; default none. */
  userEventPattern?: string;
  systemEvents?: SystemEventName[];
  auth?: { type: 'None' } | { type: 'ManagedIdentity'; resource: string };
}

export interface HubSettings {
  anonymousConnect?: boolean;
  eventHandlers?: EventHandlerSettings[];
}

/** Hub settings by lowercased hub name; unknown hubs get the defaults. */
export class HubSettingsRegistry {
  private readonly settings = new Map<string, HubSettings>();

  constructor(initial: Record<string, HubSettings> = {}) {
    for (const [hub, settings] of Object.entries(initial)) this.set(hub, settings);
  }

  set(hub: string, settings: HubSettings): void {
    this.settings.set(hub.toLowerCase(), settings);
  }

  get(hub: string): HubSettings {
    return this.settings.get(hub.toLowerCase()) ?? {};
  }
}

const hubNamePattern = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

export function isValidHubName(hub: string): boolean {
  return hubNamePattern.test(hub);
}

export function isValidGroupName(group: unknown): group is string {
  return typeof group === 'string' && group.length >= 1 && group.length <= 1024 && !/^\s+$/.test(group);
}
