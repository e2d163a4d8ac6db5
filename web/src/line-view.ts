import type { FoundLine, UserLine } from './api.js';
import { el, timeElement, userButton } from './dom.js';
import { describeRule } from './refusals.js';

/** What became of a line, in words; nothing for a plain delivered one. */
function describeOutcome(line: UserLine): string | undefined {
  const rules = line.rules ?? [];
  switch (line.outcome) {
    case 'delivered':
      return undefined;
    case 'shadow':
      return 'to them alone (shadow ban)';
    case 'flagged':
      return `flagged for review (${rules.join(', ')})`;
    case 'refused':
      return `refused: ${rules.map(describeRule).join(', ')}`;
  }
}

/**
 * A line as the search and a person's page list it: when, where, by whom (a button to their page, unless the list is
 * theirs) and what became of it.
 */
export function lineItem(line: UserLine | FoundLine): HTMLLIElement {
  const outcome = describeOutcome(line);
  return el(
    'li',
    { className: `found-line found-line--${line.outcome}` },
    timeElement(line.ts),
    ' ',
    el('span', { className: 'found-line__room', text: line.room }),
    ...('from' in line ? [' ', userButton(line.from)] : []),
    ` ${line.text}`,
    ...(outcome ? [' ', el('span', { className: 'found-line__outcome', text: `(${outcome})` })] : []),
  );
}
