import { roomOf } from '../../src/scope.js';
import type { Sanction, SanctionKind, SanctionRequest } from './api.js';
import { type ConsoleContext, describeScope } from './console-context.js';
import { byId, el, formatDateTime, setText, syncKeyed, timeElement, userButton } from './dom.js';

interface KindText {
  title: string;
  empty: string;
  /** The verb on the submit button and in the status line. */
  impose: string;
  imposed: string;
  /** The lift button's text; its accessible name adds the user and the scope. */
  liftButton: string;
  lift: string;
  lifted: string;
  roomHint: string;
  defaultMinutes: number;
}

const kindTexts: Record<SanctionKind, KindText> = {
  mute: {
    title: 'Mutes',
    empty: 'No one is muted.',
    impose: 'Mute',
    imposed: 'Muted',
    liftButton: 'Unmute',
    lift: 'Unmute',
    lifted: 'Unmuted',
    roomHint: 'Required: a mute applies in one room; the user is told.',
    defaultMinutes: 10,
  },
  ban: {
    title: 'Bans',
    empty: 'No bans in force.',
    impose: 'Ban',
    imposed: 'Banned',
    liftButton: 'Unban',
    lift: 'Unban',
    lifted: 'Unbanned',
    roomHint: 'Empty: the whole app (the user is disconnected). A room: removed from it and told.',
    defaultMinutes: 60,
  },
  'shadow-ban': {
    title: 'Shadow bans',
    empty: 'No shadow bans.',
    impose: 'Shadow ban',
    imposed: 'Shadow-banned',
    liftButton: 'Lift',
    lift: 'Lift the shadow ban on',
    lifted: 'Lifted the shadow ban on',
    roomHint: 'Empty: every room. Their lines reach only themselves, and they are not told.',
    defaultMinutes: 7 * 24 * 60,
  },
};

const kinds = Object.keys(kindTexts) as SanctionKind[];

const where = (scope: string): string => {
  const room = roomOf(scope);
  return room ? `in ${room}` : 'in the whole app';
};

/** Mutes, bans and shadow bans: one form to impose any of them, and a table of each kind in force with a way to lift it. */
export class SanctionsPanel {
  private readonly form = byId('sanction-form', HTMLFormElement);
  private readonly kind = byId('sanction-kind', HTMLSelectElement);
  private readonly user = byId('sanction-user', HTMLInputElement);
  private readonly room = byId('sanction-room', HTMLInputElement);
  private readonly minutes = byId('sanction-minutes', HTMLInputElement);
  private readonly reason = byId('sanction-reason', HTMLInputElement);
  private readonly submit = byId('sanction-submit', HTMLButtonElement);
  private readonly tables = new Map<SanctionKind, { body: HTMLTableSectionElement; empty: HTMLElement }>();

  constructor(private readonly context: ConsoleContext) {
    const lists = byId('sanction-lists', HTMLElement);
    for (const kind of kinds) lists.append(this.section(kind));
    this.kind.addEventListener('change', () => this.onKindChange());
    this.onKindChange();
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.impose();
    });
  }

  async refresh(): Promise<void> {
    const lists = await Promise.all(kinds.map((kind) => this.context.api.sanctions(kind)));
    for (const [index, kind] of kinds.entries()) this.render(kind, lists[index] ?? []);
  }

  private section(kind: SanctionKind): HTMLElement {
    const text = kindTexts[kind];
    const titleId = `${kind}-title`;
    const body = el('tbody', { attrs: { id: `${kind}s` } });
    const empty = el('p', { className: 'empty', text: text.empty });
    this.tables.set(kind, { body, empty });
    const head = el(
      'tr',
      {},
      ...['User', 'Scope', 'Until', 'Reason'].map((label) => el('th', { text: label, attrs: { scope: 'col' } })),
      el('th', { attrs: { scope: 'col' } }, el('span', { className: 'visually-hidden', text: 'Actions' })),
    );
    return el(
      'section',
      { className: 'panel', attrs: { 'aria-labelledby': titleId } },
      el('h2', { text: text.title, attrs: { id: titleId } }),
      el(
        'div',
        { className: 'table-wrap' },
        el(
          'table',
          { className: 'table sanctions' },
          el('caption', { className: 'visually-hidden', text: `${text.title} in force` }),
          el('thead', {}, head),
          body,
        ),
      ),
      empty,
    );
  }

  private onKindChange(): void {
    const kind = this.kind.value as SanctionKind;
    const text = kindTexts[kind];
    this.room.required = kind === 'mute';
    setText(byId('sanction-room-hint', HTMLElement), text.roomHint);
    setText(this.submit, text.impose);
    this.minutes.value = String(text.defaultMinutes);
  }

  private render(kind: SanctionKind, sanctions: Sanction[]): void {
    const table = this.tables.get(kind);
    if (!table) return;
    table.empty.hidden = sanctions.length > 0;
    syncKeyed(table.body, sanctions, {
      key: (sanction) => `${sanction.userId}|${sanction.scope}`,
      create: (sanction) => this.row(kind, sanction),
      update: (row, sanction) => {
        const [, , until, reason] = Array.from(row.children) as HTMLElement[];
        if (until && until.firstElementChild?.getAttribute('datetime') !== sanction.until) {
          until.replaceChildren(timeElement(sanction.until));
        }
        const [text, actor] = Array.from(reason?.children ?? []) as HTMLElement[];
        if (text) setText(text, sanction.reason);
        if (actor) setText(actor, `by ${sanction.actor}`);
      },
    });
  }

  private row(kind: SanctionKind, sanction: Sanction): HTMLTableRowElement {
    const lift = el('button', {
      className: 'button button--quiet',
      text: kindTexts[kind].liftButton,
      attrs: { type: 'button', 'aria-label': `${kindTexts[kind].lift} ${sanction.userId} ${where(sanction.scope)}` },
    });
    lift.addEventListener('click', () => void this.lift(kind, sanction, lift));
    return el(
      'tr',
      {},
      el('td', {}, userButton(sanction.userId)),
      el('td', { text: describeScope(sanction.scope) }),
      el('td'),
      el('td', { className: 'cell-reason' }, el('span'), el('span', { className: 'cell-sub' })),
      el('td', {}, lift),
    );
  }

  private async impose(): Promise<void> {
    const kind = this.kind.value as SanctionKind;
    const userId = this.user.value.trim();
    const room = this.room.value.trim();
    const reason = this.reason.value.trim();
    const body: SanctionRequest = {
      userId,
      minutes: this.minutes.valueAsNumber,
      ...(room ? { room } : {}),
      ...(reason ? { reason } : {}),
    };
    try {
      const sanction = await this.context.api.impose(kind, body);
      this.context.report(
        `${kindTexts[kind].imposed} ${userId} ${where(sanction.scope)} until ${formatDateTime(sanction.until)}.`,
      );
      this.user.value = '';
      this.reason.value = '';
      await this.context.refresh();
    } catch (error) {
      this.context.fail(`${kindTexts[kind].impose} ${userId}`, error);
    }
  }

  private async lift(kind: SanctionKind, sanction: Sanction, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.context.api.lift(kind, sanction.userId, roomOf(sanction.scope));
      this.context.report(`${kindTexts[kind].lifted} ${sanction.userId} ${where(sanction.scope)}.`);
      await this.context.refresh();
      if (!button.isConnected) this.user.focus();
    } catch (error) {
      button.disabled = false;
      this.context.fail(`${kindTexts[kind].lift} ${sanction.userId}`, error);
    }
  }
}
