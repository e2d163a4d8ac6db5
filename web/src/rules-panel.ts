import { ApiError, type ListRule, type RuleAction, type RuleKind, type RuleRequest } from './api.js';
import { type ConsoleContext, describeScope } from './console-context.js';
import { byId, el, setText, syncKeyed, timeElement } from './dom.js';

const kindLabels: Record<RuleKind, string> = { word: 'Word or phrase', regex: 'Regular expression', domain: 'Domain' };
const actionLabels: Record<RuleAction, string> = { block: 'Block', flag: 'Flag for review' };

/** The moderators' lists: add a word, regular expression or domain rule (block or flag, global or one room), delete. */
export class RulesPanel {
  private readonly form = byId('rule-form', HTMLFormElement);
  private readonly kind = byId('rule-kind', HTMLSelectElement);
  private readonly pattern = byId('rule-pattern', HTMLInputElement);
  private readonly room = byId('rule-room', HTMLInputElement);
  private readonly error = byId('rule-error', HTMLElement);
  private readonly body = byId('rules', HTMLTableSectionElement);

  constructor(
    private readonly context: ConsoleContext,
    /** Hears every fresh list, e.g. for the review queue to name what a flag matched. */
    private readonly onRules: (rules: ListRule[]) => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.add();
    });
    this.pattern.addEventListener('input', () => this.showError(''));
  }

  async refresh(): Promise<void> {
    const rules = await this.context.api.rules();
    this.onRules(rules);
    byId('rules-empty', HTMLElement).hidden = rules.length > 0;
    syncKeyed(this.body, rules, { key: (rule) => rule.id, create: (rule) => this.row(rule), update: () => undefined });
  }

  private row(rule: ListRule): HTMLTableRowElement {
    const remove = el('button', {
      className: 'button button--quiet',
      text: 'Delete',
      attrs: { type: 'button', 'aria-label': `Delete rule ${rule.id}` },
    });
    remove.addEventListener('click', () => void this.remove(rule, remove));
    return el(
      'tr',
      {},
      el('td', {}, el('code', { className: 'rule-id', text: rule.id })),
      el('td', { text: kindLabels[rule.kind] ?? rule.kind }),
      el('td', { className: 'cell-pattern' }, el('code', { text: rule.pattern })),
      el(
        'td',
        {},
        el('span', { className: `rule-action rule-action--${rule.action}`, text: actionLabels[rule.action] }),
      ),
      el('td', { text: describeScope(rule.scope) }),
      el(
        'td',
        {},
        el('span', { text: rule.createdBy }),
        el('span', { className: 'cell-sub' }, timeElement(rule.createdAt)),
      ),
      el('td', {}, remove),
    );
  }

  private async add(): Promise<void> {
    const room = this.room.value.trim();
    const action = new FormData(this.form).get('action') === 'flag' ? 'flag' : 'block';
    const body: RuleRequest = {
      kind: this.kind.value as RuleKind,
      pattern: this.pattern.value,
      action,
      ...(room ? { room } : {}),
    };
    try {
      const rule = await this.context.api.addRule(body);
      this.pattern.value = '';
      this.showError('');
      this.context.report(
        `Added rule ${rule.id}: ${actionLabels[rule.action].toLowerCase()} ${kindLabels[rule.kind].toLowerCase()} in ${describeScope(rule.scope).toLowerCase()}.`,
      );
      await this.context.refresh();
    } catch (error) {
      // The app says why a pattern was refused (e.g. one that backtracks catastrophically): show it at the field.
      if (error instanceof ApiError && error.status === 400) {
        this.showError(`Not added: ${error.message}`);
        this.pattern.focus();
      } else {
        this.context.fail('Adding the rule', error);
      }
    }
  }

  private showError(message: string): void {
    setText(this.error, message);
    if (message) this.pattern.setAttribute('aria-invalid', 'true');
    else this.pattern.removeAttribute('aria-invalid');
  }

  private async remove(rule: ListRule, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.context.api.deleteRule(rule.id);
      this.context.report(`Deleted rule ${rule.id} (${kindLabels[rule.kind].toLowerCase()} “${rule.pattern}”).`);
      await this.context.refresh();
      if (!button.isConnected) this.pattern.focus();
    } catch (error) {
      button.disabled = false;
      this.context.fail(`Deleting rule ${rule.id}`, error);
    }
  }
}
