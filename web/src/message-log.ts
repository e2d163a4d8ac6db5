import type { ChatLine } from './chat-connection.js';
import { el, formatTime } from './dom.js';

export type NoticeKind = 'presence' | 'announcement' | 'info' | 'refusal';

const presencePattern = /^\S+ joined \S+$/;
/** Entries kept on screen; older ones go, so a long session does not slow the page down. */
const maxEntries = 500;
/** Within this many pixels of the bottom the reader is following the conversation, so new lines scroll into view. */
const followThresholdPx = 48;

/** The app sends presence notices and announcements alike as plain text; presence has one fixed shape. */
export function noticeKind(text: string): NoticeKind {
  return presencePattern.test(text) ? 'presence' : 'announcement';
}

export interface MessageLogOptions {
  /** Adds a Report button to other people's lines; `trigger` is that button, to give the focus back to. */
  onReport?(line: ChatLine, trigger: HTMLButtonElement): void;
}

export const removedText = 'Message removed by a moderator';

/** A room's conversation as an ordered list, a live region (`aria-live`), so screen readers announce additions; not `role="log"`, which would hide the list from them. */
export class MessageLog {
  /** Whether the reader is at the end of the conversation; if so, the end stays in view. */
  private following = true;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly options: MessageLogOptions = {},
  ) {
    list.addEventListener('scroll', () => {
      this.following = list.scrollHeight - list.scrollTop - list.clientHeight <= followThresholdPx;
    });
    // A banner above the log makes it shorter: keep the newest lines in view.
    new ResizeObserver(() => this.keepEndInView()).observe(list);
  }

  chat(line: ChatLine, own: boolean): void {
    const item = el(
      'li',
      { className: own ? 'entry entry--chat entry--own' : 'entry entry--chat', attrs: { 'data-id': line.id } },
      el(
        'span',
        { className: 'entry__meta' },
        el('span', { className: 'entry__from', text: line.from }),
        ' ',
        el('time', { className: 'entry__time', text: formatTime(line.ts), attrs: { datetime: line.ts } }),
      ),
      el('span', { className: 'entry__text', text: line.text }),
    );
    const { onReport } = this.options;
    if (onReport && !own) {
      const report = el('button', {
        className: 'entry__action',
        text: 'Report',
        attrs: { type: 'button', 'aria-label': `Report the message from ${line.from} at ${formatTime(line.ts)}` },
      });
      report.addEventListener('click', () => onReport(line, report));
      item.querySelector('.entry__meta')?.append(report);
    }
    this.append(item);
  }

  /** Marks a line as reported, so it is not reported twice from this page; returns its (now disabled) button. */
  markReported(id: string): HTMLButtonElement | undefined {
    const button = this.entry(id)?.querySelector<HTMLButtonElement>('.entry__action') ?? undefined;
    if (!button) return undefined;
    button.textContent = 'Reported';
    button.setAttribute('aria-label', (button.getAttribute('aria-label') ?? 'Report').replace(/^Report/, 'Reported'));
    button.disabled = true;
    return button;
  }

  /** A moderator deleted the line for everyone: its text goes, a note says why. */
  markDeleted(id: string): void {
    const item = this.entry(id);
    if (!item) return;
    item.classList.add('entry--deleted');
    item.querySelector('.entry__action')?.remove();
    const text = item.querySelector('.entry__text');
    if (text) text.textContent = removedText;
  }

  notice(text: string, kind: NoticeKind): void {
    const label = kind === 'announcement' ? 'Announcement: ' : kind === 'refusal' ? 'Not sent: ' : '';
    const item = el(
      'li',
      { className: `entry entry--${kind}` },
      label ? el('span', { className: 'entry__label', text: label }) : '',
      el('span', { className: 'entry__text', text }),
    );
    this.append(item);
  }

  clear(): void {
    this.list.replaceChildren();
  }

  private entry(id: string): HTMLElement | undefined {
    return Array.from(this.list.children).find(
      (child): child is HTMLElement => child instanceof HTMLElement && child.dataset.id === id,
    );
  }

  private append(item: HTMLLIElement): void {
    this.list.append(item);
    while (this.list.childElementCount > maxEntries) this.list.firstElementChild?.remove();
    this.keepEndInView();
  }

  private keepEndInView(): void {
    if (this.following) this.list.scrollTop = this.list.scrollHeight;
  }
}
