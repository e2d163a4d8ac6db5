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

/** A room's conversation as an ordered list (`role="log"`, so screen readers announce additions). */
export class MessageLog {
  /** Whether the reader is at the end of the conversation; if so, the end stays in view. */
  private following = true;

  constructor(private readonly list: HTMLOListElement) {
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
    this.append(item);
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

  private append(item: HTMLLIElement): void {
    this.list.append(item);
    while (this.list.childElementCount > maxEntries) this.list.firstElementChild?.remove();
    this.keepEndInView();
  }

  private keepEndInView(): void {
    if (this.following) this.list.scrollTop = this.list.scrollHeight;
  }
}
