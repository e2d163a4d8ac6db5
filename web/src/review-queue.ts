import type { ContextLine, ListRule, QueueDecision, QueueItem } from './api.js';
import { type ConsoleContext, optionalNumber } from './console-context.js';
import { byId, el, formatDateTime, formatTime, setText, syncKeyed, timeElement, userButton } from './dom.js';

/** Items fetched per poll; the queue is worked from the newest. */
const queueLimit = 50;

interface DecisionButton {
  label: string;
  /** The accessible name, naming the author and the room. */
  name(item: QueueItem): string;
  className: string;
  decision: QueueDecision;
}

const decisionButtons: DecisionButton[] = [
  {
    label: 'Dismiss',
    name: (item) => `Dismiss the report on ${item.from}'s message`,
    className: 'button button--quiet',
    decision: { action: 'dismiss' },
  },
  {
    label: 'Delete for everyone',
    name: (item) => `Delete ${item.from}'s message for everyone`,
    className: 'button button--danger',
    decision: { action: 'delete' },
  },
  {
    label: 'Mute author',
    name: (item) => `Mute ${item.from} in ${item.room}`,
    className: 'button button--quiet',
    decision: { action: 'mute' },
  },
  {
    label: 'Ban from room',
    name: (item) => `Ban ${item.from} from ${item.room}`,
    className: 'button button--quiet',
    decision: { action: 'ban', scope: 'room' },
  },
  {
    label: 'Ban from app',
    name: (item) => `Ban ${item.from} from the whole app`,
    className: 'button button--danger',
    decision: { action: 'ban', scope: 'app' },
  },
];

/** Flagged and reported messages with why they are here, and what a moderator can decide about each. */
export class ReviewQueue {
  private readonly list = byId('queue', HTMLOListElement);
  private readonly count = byId('queue-count', HTMLElement);
  private rules = new Map<string, ListRule>();

  private readonly dismissSelected = byId('queue-dismiss-selected', HTMLButtonElement);
  private readonly help = byId('queue-help', HTMLDialogElement);
  private readonly items = new Map<string, QueueItem>();

  constructor(private readonly context: ConsoleContext) {
    byId('panel-queue', HTMLElement).addEventListener('keydown', (event) => this.onKey(event));
    byId('queue-help-close', HTMLButtonElement).addEventListener('click', () => this.help.close());
    this.list.addEventListener('change', () => this.updateSelection());
    this.dismissSelected.addEventListener('click', () => void this.dismissAllSelected());
  }

  /** Shortcuts, unless the keyboard is in a text field (where the letters are typing). */
  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (
      event.ctrlKey ||
      event.metaKey ||
      event.altKey ||
      target.matches('input:not([type=checkbox]), textarea, select')
    ) {
      return;
    }
    if (event.key === '?') {
      event.preventDefault();
      this.help.showModal();
      return;
    }
    const items = Array.from(this.list.querySelectorAll<HTMLElement>('.queue-item'));
    const current = target.closest<HTMLElement>('.queue-item');
    const index = current ? items.indexOf(current) : -1;
    if (event.key === 'j' || event.key === 'k') {
      event.preventDefault();
      const next = items[event.key === 'j' ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0)];
      next?.focus();
      return;
    }
    const label = { d: 'Dismiss', x: 'Delete for everyone', m: 'Mute author', b: 'Ban from room' }[event.key];
    if (!label || !current) return;
    event.preventDefault();
    for (const button of current.querySelectorAll<HTMLButtonElement>('.queue-actions button')) {
      if (button.textContent === label) button.click();
    }
  }

  private selected(): string[] {
    return Array.from(this.list.querySelectorAll<HTMLInputElement>('.queue-select:checked'))
      .map((box) => box.closest<HTMLElement>('.queue-item')?.dataset.key)
      .filter((id): id is string => id !== undefined);
  }

  private updateSelection(): void {
    const count = this.selected().length;
    this.dismissSelected.disabled = count === 0;
    this.dismissSelected.textContent = count > 0 ? `Dismiss selected (${count})` : 'Dismiss selected';
  }

  /** One decision per item, in turn; what failed stays selected and is reported. */
  private async dismissAllSelected(): Promise<void> {
    const ids = this.selected();
    this.dismissSelected.disabled = true;
    let dismissed = 0;
    for (const id of ids) {
      try {
        await this.context.api.decide(id, { action: 'dismiss' });
        dismissed++;
      } catch (error) {
        this.context.fail(`Dismissing ${this.items.get(id)?.from ?? id}'s message`, error);
      }
    }
    this.context.report(`Dismissed ${dismissed} ${dismissed === 1 ? 'item' : 'items'} of the review queue.`);
    await this.context.refresh();
    this.updateSelection();
  }

  /** The rules, to say what a `list:<id>` flag matched (moderators may see patterns; chatters may not). */
  setRules(rules: readonly ListRule[]): void {
    this.rules = new Map(rules.map((rule) => [rule.id, rule]));
  }

  async refresh(): Promise<void> {
    this.render(await this.context.api.queue(queueLimit));
  }

  private render(items: QueueItem[]): void {
    const count = items.length >= queueLimit ? `${queueLimit}+` : String(items.length);
    setText(this.count, count);
    this.count.dataset.count = String(items.length);
    byId('queue-empty', HTMLElement).hidden = items.length > 0;
    this.items.clear();
    for (const item of items) this.items.set(item.id, item);
    syncKeyed(this.list, items, {
      key: (item) => item.id,
      create: (item) => this.itemElement(item),
      update: (element, item) => {
        this.updateReasons(element, item);
        // The conversation is read when the item appears and again when a report comes in, not at every poll.
        if (element.dataset.reports !== String(item.reportCount)) {
          element.dataset.reports = String(item.reportCount);
          const list = element.querySelector<HTMLOListElement>('.queue-context');
          if (list) void this.loadContext(item, list);
        }
      },
    });
  }

  private itemElement(item: QueueItem): HTMLLIElement {
    const titleId = `queue-item-${item.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const head = el(
      'h3',
      { className: 'queue-item__head', attrs: { id: titleId } },
      userButton(item.from),
      ` in ${item.room} · `,
      timeElement(item.ts),
    );
    const reason = el('input', {
      className: 'input-reason',
      attrs: {
        name: 'reason',
        maxlength: '500',
        placeholder: 'Reason (optional)',
        'aria-label': `Reason for the decision on ${item.from}'s message`,
      },
    });
    const minutes = el('input', {
      className: 'input-minutes',
      attrs: {
        name: 'minutes',
        type: 'number',
        min: '1',
        max: '5256000',
        inputmode: 'numeric',
        placeholder: 'Minutes',
        'aria-label': `Minutes for a mute or ban of ${item.from} (empty: 10 for a mute, 60 for a ban)`,
      },
    });
    const buttons = decisionButtons.map((spec) => {
      const button = el('button', {
        className: spec.className,
        text: spec.label,
        attrs: { type: 'button', 'aria-label': spec.name(item) },
      });
      button.addEventListener('click', () => {
        const decision: QueueDecision = { ...spec.decision };
        const why = reason.value.trim();
        if (why) decision.reason = why;
        const time = optionalNumber(minutes);
        if (time !== undefined && (decision.action === 'mute' || decision.action === 'ban')) decision.minutes = time;
        void this.decide(item, decision, element, buttons);
      });
      return button;
    });
    const actions = el('div', { className: 'queue-actions' }, reason, minutes, ...buttons);
    const context = el('ol', {
      className: 'queue-context',
      attrs: { 'aria-label': `The conversation in ${item.room} around ${item.from}'s message` },
    });
    const select = el('input', {
      className: 'queue-select',
      attrs: { type: 'checkbox', 'aria-label': `Select ${item.from}'s message for "Dismiss selected"` },
    });
    const element = el(
      'li',
      // Focusable, so j and k can move between items.
      { className: 'queue-item', attrs: { tabindex: '-1', 'aria-labelledby': titleId } },
      el(
        'article',
        { attrs: { 'aria-labelledby': titleId } },
        select,
        head,
        el('blockquote', { className: 'quote', text: item.text }),
        context,
        el('ul', { className: 'queue-item__why' }),
        actions,
      ),
    );
    return element;
  }

  /** The room's lines just before and after the queued one. */
  private async loadContext(item: QueueItem, list: HTMLOListElement): Promise<void> {
    const line = (context: ContextLine, className: string) =>
      el(
        'li',
        { className },
        timeElement(context.ts, formatTime),
        userButton(context.from),
        el('span', { className: 'queue-context__text', text: context.text }),
      );
    try {
      const { before, after } = await this.context.api.queueContext(item.id);
      const queued = { id: item.messageId, from: item.from, text: item.text, ts: item.ts };
      list.replaceChildren(
        ...before.map((context) => line(context, 'queue-context__line')),
        line(queued, 'queue-context__line queue-context__line--queued'),
        ...after.map((context) => line(context, 'queue-context__line')),
      );
    } catch {
      // The item may have been decided meanwhile; the queue itself still shows the line.
      list.replaceChildren(el('li', { className: 'hint', text: 'The conversation around it could not be loaded.' }));
    }
  }

  /** Reports are merged into an item as they come, and rules load after the queue: both are kept current. */
  private updateReasons(element: HTMLElement, item: QueueItem): void {
    const reasons = [
      ...item.rules.map((rule) => this.describeFlag(rule)),
      ...item.reports.map((report) => `Reported by ${report.by} (${formatTime(report.at)}): ${report.reason}`),
    ];
    const list = element.querySelector('.queue-item__why');
    const signature = reasons.join('\n');
    if (!list || list.getAttribute('data-signature') === signature) return;
    list.setAttribute('data-signature', signature);
    list.replaceChildren(...reasons.map((text) => el('li', { text })));
  }

  private describeFlag(flag: string): string {
    const id = flag.startsWith('list:') ? flag.slice('list:'.length) : flag;
    const rule = this.rules.get(id);
    return rule ? `Flagged by rule ${id}: ${rule.kind} “${rule.pattern}”` : `Flagged by rule ${id}`;
  }

  private async decide(
    item: QueueItem,
    decision: QueueDecision,
    element: HTMLElement,
    buttons: HTMLButtonElement[],
  ): Promise<void> {
    const position = Array.from(this.list.children).indexOf(element);
    for (const button of buttons) button.disabled = true;
    try {
      const result = await this.context.api.decide(item.id, decision);
      const until = result.until ? ` until ${formatDateTime(result.until)}` : '';
      const done: Record<QueueDecision['action'], string> = {
        dismiss: `Dismissed the review of ${item.from}'s message.`,
        delete: `Deleted ${item.from}'s message for everyone in ${item.room}.`,
        mute: `Muted ${item.from} in ${item.room}${until}.`,
        ban: `Banned ${item.from} from ${decision.scope === 'app' ? 'the whole app' : item.room}${until}.`,
      };
      this.context.report(done[decision.action]);
      await this.context.refresh();
      // The decided item is gone: the keyboard goes on with the one that took its place.
      if (!element.isConnected) {
        const next = this.list.children[position] ?? this.list.lastElementChild;
        (next?.querySelector('button') ?? byId('queue-title', HTMLElement)).focus();
      }
    } catch (error) {
      for (const button of buttons) button.disabled = false;
      this.context.fail(`Deciding on ${item.from}'s message`, error);
    }
  }
}
