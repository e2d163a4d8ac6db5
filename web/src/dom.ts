export interface ElementOptions {
  className?: string;
  /** Set as textContent: user text never becomes markup. */
  text?: string;
  attrs?: Record<string, string>;
}

/** Builds an element; string children become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** The element with this id, checked to be of the expected kind (the pages and scripts are built together). */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}.`);
  return element;
}

export interface KeyedRenderer<T> {
  key(item: T): string;
  create(item: T): HTMLElement;
  update(element: HTMLElement, item: T): void;
}

/**
 * Makes `parent`'s children match `items`, keeping the element of every key that stays: polling refreshes must not
 * wipe what a moderator is typing or where the keyboard focus is.
 */
export function syncKeyed<T>(parent: HTMLElement, items: readonly T[], renderer: KeyedRenderer<T>): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(parent.children)) {
    if (child instanceof HTMLElement && child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  let cursor = parent.firstElementChild;
  for (const item of items) {
    const key = renderer.key(item);
    let element = existing.get(key);
    existing.delete(key);
    if (!element) {
      element = renderer.create(item);
      element.dataset.key = key;
    }
    // A new element gets its content from `update` too, so it never shows empty until the next refresh.
    renderer.update(element, item);
    if (element === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(element, cursor);
  }
  for (const stale of existing.values()) stale.remove();
}

export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

const isoInstant = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Rewrites ISO instants in a message from the app (e.g. "banned until 2026-…Z") in the reader's own terms. */
export function readableInstants(text: string): string {
  return text.replace(isoInstant, (iso) => formatDateTime(iso));
}

/** A `<time>` element that shows `format(iso)` and keeps the exact instant in `datetime`. */
export function timeElement(iso: string, format: (iso: string) => string = formatDateTime): HTMLTimeElement {
  return el('time', { text: format(iso), attrs: { datetime: iso } });
}

/**
 * A user id that opens the person's page: a button, so it is reachable by keyboard; the console listens for clicks on
 * any `[data-user]` (`person-panel.ts`).
 */
export function userButton(userId: string): HTMLButtonElement {
  return el('button', {
    className: 'cell-user user-link',
    text: userId,
    attrs: { type: 'button', 'data-user': userId, title: `Open ${userId}'s page` },
  });
}
