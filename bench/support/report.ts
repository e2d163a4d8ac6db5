/** Summaries and markdown tables shared by the benchmarks: every figure is printed raw, with how it was measured. */

/** The value at quantile `q` (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Best is the highest for throughputs and the lowest for times; the caller says which. */
export function best(values: readonly number[], higherIsBetter: boolean): number {
  return higherIsBetter ? Math.max(...values) : Math.min(...values);
}

/** Human-readable number: thousands separators, `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `a / b` as `1.23×`. */
export function formatRatio(numerator: number, denominator: number): string {
  return `${formatNumber(numerator / denominator, 2)}×`;
}

/** A target check for the tables: `✓ ≥ 2.5×` or `✗ ≥ 2.5×`. */
export function verdict(met: boolean, target: string): string {
  return `${met ? 'met' : 'MISSED'} (${target})`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Percentiles of one sample of latencies, in ms. */
export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  return { p50: quantile(values, 0.5), p99: quantile(values, 0.99), max: quantile(values, 1), count: values.length };
}

/** Prints a section title and the note saying what was measured and how. */
export function printHeading(title: string, note: string): void {
  console.log(`## ${title}\n\n${note}\n`);
}
