/**
 * The WAI-ARIA tabs pattern over existing markup: `role="tab"` buttons whose `aria-controls` name their panels. One tab
 * is in the Tab order; arrow keys, Home and End move between tabs and show the one they land on.
 */
export class Tabs {
  private readonly tabs: HTMLButtonElement[];
  private current: HTMLButtonElement;

  constructor(
    tablist: HTMLElement,
    private readonly onChange: (panelId: string) => void,
  ) {
    this.tabs = Array.from(tablist.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
    const first = this.tabs[0];
    if (!first) throw new Error('A tab list needs at least one tab.');
    this.current = first;
    for (const tab of this.tabs) {
      tab.addEventListener('click', () => this.show(tab));
      tab.addEventListener('keydown', (event) => this.onKey(event, tab));
    }
    this.show(first, false);
  }

  /** The id of the panel in view. */
  get selected(): string {
    return this.current.getAttribute('aria-controls') ?? '';
  }

  private onKey(event: KeyboardEvent, tab: HTMLButtonElement): void {
    const index = this.tabs.indexOf(tab);
    const last = this.tabs.length - 1;
    const target =
      event.key === 'ArrowRight'
        ? this.tabs[index === last ? 0 : index + 1]
        : event.key === 'ArrowLeft'
          ? this.tabs[index === 0 ? last : index - 1]
          : event.key === 'Home'
            ? this.tabs[0]
            : event.key === 'End'
              ? this.tabs[last]
              : undefined;
    if (!target) return;
    event.preventDefault();
    this.show(target);
    target.focus();
  }

  private show(tab: HTMLButtonElement, notify = true): void {
    this.current = tab;
    for (const candidate of this.tabs) {
      const selected = candidate === tab;
      candidate.setAttribute('aria-selected', String(selected));
      candidate.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(candidate.getAttribute('aria-controls') ?? '');
      if (panel) panel.hidden = !selected;
    }
    if (notify) this.onChange(this.selected);
  }
}
