import { roomOf } from '../../src/scope.js';
import type { AuditEntry, SanctionKind, SanctionRequest, UserProfile } from './api.js';
import { type ConsoleContext, describeScope, optionalNumber } from './console-context.js';
import { byId, el, formatDateTime, timeElement } from './dom.js';
import { lineItem } from './line-view.js';

const kindNames: Record<SanctionKind, string> = { mute: 'Muted', ban: 'Banned', 'shadow-ban': 'Shadow-banned' };

/**
 * A person's page, opened from any user id in the console (`[data-user]`): their strikes and mutes by room, sanctions
 * in force (each can be lifted), their latest lines (delivered and refused), lines in the review queue and the audit
 * entries naming them; a form to mute, ban or shadow-ban them.
 */
export class PersonPanel {
  private readonly dialog = byId('person', HTMLDialogElement);
  private readonly form = byId('person-act', HTMLFormElement);
  private userId: string | undefined;
  private opener: HTMLElement | undefined;

  constructor(private readonly context: ConsoleContext) {
    document.addEventListener('click', (event) => {
      const target = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-user]');
      const userId = target?.dataset.user;
      if (!target || !userId) return;
      this.opener = target;
      void this.open(userId);
    });
    byId('person-close', HTMLButtonElement).addEventListener('click', () => this.dialog.close());
    // Focus goes back where the page was opened from.
    this.dialog.addEventListener('close', () => this.opener?.focus());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.act();
    });
  }

  async open(userId: string): Promise<void> {
    this.userId = userId;
    try {
      this.render(await this.context.api.user(userId));
      if (!this.dialog.open) this.dialog.showModal();
    } catch (error) {
      this.context.fail(`Opening ${userId}'s page`, error);
    }
  }

  private render(profile: UserProfile): void {
    byId('person-title', HTMLElement).textContent = profile.userId;
    const connections = profile.connections.length;
    byId('person-summary', HTMLElement).textContent =
      `${connections} open ${connections === 1 ? 'connection' : 'connections'}; ` +
      `${profile.audit.filter((entry) => entry.action === 'refuse' && entry.target === profile.userId).length} recent refusals.`;
    list(
      'person-rooms',
      profile.rooms.map(
        (room) =>
          `${room.room}: ${room.strikes} ${room.strikes === 1 ? 'strike' : 'strikes'}` +
          (room.mutedUntil ? `, muted until ${formatDateTime(room.mutedUntil)}` : ''),
      ),
      'No counters: they have not chatted lately.',
    );
    byId('person-sanctions', HTMLUListElement).replaceChildren(
      ...(profile.sanctions.length === 0
        ? [el('li', { className: 'empty', text: 'None.' })]
        : profile.sanctions.map((sanction) => {
            const lift = el('button', {
              className: 'button button--quiet',
              text: 'Lift',
              attrs: {
                type: 'button',
                'aria-label': `Lift: ${kindNames[sanction.kind]} ${describeScope(sanction.scope)}`,
              },
            });
            lift.addEventListener('click', () => void this.lift(sanction.kind, roomOf(sanction.scope)));
            return el(
              'li',
              {},
              `${kindNames[sanction.kind]} (${describeScope(sanction.scope)}) until ${formatDateTime(sanction.until)} by ${sanction.actor}: ${sanction.reason} `,
              lift,
            );
          })),
    );
    byId('person-lines', HTMLOListElement).replaceChildren(
      ...(profile.lines.length === 0
        ? [el('li', { className: 'empty', text: 'No lines lately.' })]
        : profile.lines.map(lineItem)),
    );
    list(
      'person-queued',
      profile.queued.map(
        (item) =>
          `${item.room}: “${item.text}” (${[...item.rules, ...item.reports.map((r) => `reported by ${r.by}`)].join(', ')})`,
      ),
      'None.',
    );
    byId('person-audit', HTMLUListElement).replaceChildren(
      ...(profile.audit.length === 0
        ? [el('li', { className: 'empty', text: 'Nothing recorded.' })]
        : profile.audit.map((entry) =>
            el('li', {}, timeElement(entry.at), ` ${describeEntry(entry, profile.userId)}`),
          )),
    );
  }

  private async act(): Promise<void> {
    const userId = this.userId;
    if (!userId) return;
    const kind = byId('person-kind', HTMLSelectElement).value as SanctionKind;
    const room = byId('person-room', HTMLInputElement).value.trim();
    const reason = byId('person-reason', HTMLInputElement).value.trim();
    const minutes = optionalNumber(byId('person-minutes', HTMLInputElement));
    const body: SanctionRequest = {
      userId,
      ...(room ? { room } : {}),
      ...(reason ? { reason } : {}),
      ...(minutes !== undefined ? { minutes } : {}),
    };
    try {
      await this.context.api.impose(kind, body);
      this.context.report(`${kindNames[kind]} ${userId}${room ? ` in ${room}` : ''}.`);
      await this.context.refresh();
      await this.open(userId);
    } catch (error) {
      this.context.fail(`Acting on ${userId}`, error);
    }
  }

  private async lift(kind: SanctionKind, room: string | undefined): Promise<void> {
    const userId = this.userId;
    if (!userId) return;
    try {
      await this.context.api.lift(kind, userId, room);
      this.context.report(`Lifted: ${kindNames[kind].toLowerCase()} ${userId}${room ? ` in ${room}` : ''}.`);
      await this.context.refresh();
      await this.open(userId);
    } catch (error) {
      this.context.fail(`Lifting on ${userId}`, error);
    }
  }
}

function list(id: string, lines: readonly string[], empty: string): void {
  byId(id, HTMLUListElement).replaceChildren(
    ...(lines.length === 0 ? [el('li', { className: 'empty', text: empty })] : lines.map((text) => el('li', { text }))),
  );
}

/** An audit entry in words, from the person's side. */
function describeEntry(entry: AuditEntry, userId: string): string {
  const where = entry.room ? ` in ${entry.room}` : '';
  const rule = entry.rule ? ` [${entry.rule}]` : '';
  const who = entry.actor === userId ? 'they' : entry.actor;
  const whom = entry.target && entry.target !== userId ? ` ${entry.target}` : '';
  return `${who}: ${entry.action}${whom}${where}${rule}${entry.reason ? `: ${entry.reason}` : ''} (${entry.outcome})`;
}
