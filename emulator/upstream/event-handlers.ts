import type { EventHandlerSettings, HubSettings, SystemEventName } from '../hub-settings.js';

export type UpstreamEvent = { kind: 'system'; name: SystemEventName } | { kind: 'user'; name: string };

/** The first handler of the hub that subscribes to the event, as the service picks it. */
export function findEventHandler(settings: HubSettings, event: UpstreamEvent): EventHandlerSettings | undefined {
  return settings.eventHandlers?.find((handler) =>
    event.kind === 'system'
      ? (handler.systemEvents ?? []).includes(event.name)
      : userEventMatches(handler.userEventPattern, event.name),
  );
}

function userEventMatches(pattern: string | undefined, eventName: string): boolean {
  if (pattern === undefined) return false;
  return pattern.split(',').some((part) => {
    const name = part.trim();
    return name === '*' || name === eventName;
  });
}

export function expandUrlTemplate(template: string, hub: string, eventName: string): string {
  return template.replaceAll('{hub}', encodeURIComponent(hub)).replaceAll('{event}', encodeURIComponent(eventName));
}

export function cloudEventType(event: UpstreamEvent): string {
  return event.kind === 'system' ? `azure.webpubsub.sys.${event.name}` : `azure.webpubsub.user.${event.name}`;
}
