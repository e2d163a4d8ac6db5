import type { RoomSettings, RoomSettingsRequest } from './api.js';
import { type ConsoleContext, optionalNumber } from './console-context.js';
import { byId, formatDateTime, setText } from './dom.js';

/** The selected room's limits (slow mode, maximum length, links): loaded when the room is chosen, saved on submit. */
export class RoomSettingsForm {
  private readonly form = byId('settings-form', HTMLFormElement);
  private readonly fields = byId('settings-fields', HTMLFieldSetElement);
  private readonly slowMode = byId('settings-slow', HTMLInputElement);
  private readonly maxLength = byId('settings-max', HTMLInputElement);
  private readonly links = byId('settings-links', HTMLInputElement);
  private readonly updated = byId('settings-updated', HTMLElement);
  private room: string | undefined;

  constructor(private readonly context: ConsoleContext) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
  }

  /** Not polled: a refresh must not overwrite what the moderator is typing. */
  async load(room: string): Promise<void> {
    this.room = room;
    setText(byId('settings-room', HTMLElement), room);
    this.fields.disabled = true;
    try {
      const settings = await this.context.api.roomSettings(room);
      if (this.room !== room) return;
      this.fill(settings);
      this.fields.disabled = false;
    } catch (error) {
      this.context.fail(`Loading the limits of ${room}`, error);
    }
  }

  private fill(settings: RoomSettings): void {
    this.slowMode.value = String(settings.slowModeSeconds);
    this.maxLength.value = settings.maxLength === undefined ? '' : String(settings.maxLength);
    this.maxLength.placeholder = `${settings.effectiveMaxLength} (default)`;
    this.links.checked = settings.linksAllowed;
    setText(
      this.updated,
      settings.updatedBy && settings.updatedAt
        ? `Last changed by ${settings.updatedBy}, ${formatDateTime(settings.updatedAt)}.`
        : 'The app’s defaults apply.',
    );
  }

  private async save(): Promise<void> {
    const room = this.room;
    if (!room) return;
    const maxLength = optionalNumber(this.maxLength);
    const body: RoomSettingsRequest = {
      slowModeSeconds: this.slowMode.valueAsNumber,
      linksAllowed: this.links.checked,
      ...(maxLength === undefined ? {} : { maxLength }),
    };
    try {
      const saved = await this.context.api.putRoomSettings(room, body);
      if (this.room === room) this.fill(saved);
      const slow = saved.slowModeSeconds > 0 ? `slow mode ${saved.slowModeSeconds} s` : 'no slow mode';
      const links = saved.linksAllowed ? 'links allowed' : 'no links';
      this.context.report(
        `Saved the limits of ${room}: ${slow}, at most ${saved.effectiveMaxLength} characters, ${links}.`,
      );
    } catch (error) {
      this.context.fail(`Saving the limits of ${room}`, error);
    }
  }
}
