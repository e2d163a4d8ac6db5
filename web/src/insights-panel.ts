import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AppApi, StatsPoint, StatsSummary } from './api.js';
import { byId, el } from './dom.js';

/**
 * The insights tab: lines per minute (last hour) or per hour (last day) as a line chart, and the busiest rooms and
 * most refused users as bar charts, drawn by uPlot (MIT, about 50 KB minified, 22 KB gzipped: the smallest maintained
 * charting library with line and bar charts; Chart.js is about three times that). Series differ by dash as well as
 * colour, the legend shows each value under the cursor, and every chart has a table of its numbers for screen
 * readers.
 */
export class InsightsPanel {
  private readonly windowSelect = byId('insights-window', HTMLSelectElement);
  private readonly roomSelect = byId('insights-room', HTMLSelectElement);
  private readonly charts: uPlot[] = [];

  constructor(
    private readonly api: AppApi,
    private readonly onError: (what: string, error: unknown) => void,
  ) {
    this.windowSelect.addEventListener('change', () => void this.refresh());
    this.roomSelect.addEventListener('change', () => void this.refresh());
  }

  /** The rooms to filter by, as the console knows them. */
  setRooms(rooms: readonly string[]): void {
    const chosen = this.roomSelect.value;
    const options = [el('option', { text: 'All rooms', attrs: { value: '' } })];
    for (const room of rooms) options.push(el('option', { text: room, attrs: { value: room } }));
    this.roomSelect.replaceChildren(...options);
    this.roomSelect.value = rooms.includes(chosen) ? chosen : '';
  }

  async refresh(): Promise<void> {
    try {
      const window = this.windowSelect.value === 'day' ? 'day' : 'hour';
      this.render(await this.api.stats(window, this.roomSelect.value || undefined));
    } catch (error) {
      this.onError('Insights', error);
    }
  }

  private render(summary: StatsSummary): void {
    for (const chart of this.charts.splice(0)) chart.destroy();
    const perWhat = summary.window === 'hour' ? 'minute' : 'hour';
    const totals = summary.series.reduce(
      (sum, point) => ({
        delivered: sum.delivered + point.delivered,
        refused: sum.refused + point.refused,
        flagged: sum.flagged + point.flagged,
        reported: sum.reported + point.reported,
      }),
      { delivered: 0, refused: 0, flagged: 0, reported: 0 },
    );
    byId('insights-totals', HTMLElement).textContent =
      `${summary.room ? `Room ${summary.room}` : 'All rooms'}, last ${summary.window}: ${totals.delivered} delivered, ` +
      `${totals.refused} refused, ${totals.flagged} flagged, ${totals.reported} reported.`;
    this.lineChart(summary.series, perWhat);
    this.barChart(
      'insights-rooms',
      'Delivered',
      summary.busiestRooms.map((room) => [room.room, room.delivered]),
    );
    this.barChart(
      'insights-users',
      'Refusals',
      summary.topRefused.map((user) => [user.userId, user.refusals]),
    );
    byId('insights-rules', HTMLElement).replaceChildren(...rulesTable(summary.series));
  }

  private lineChart(series: readonly StatsPoint[], perWhat: string): void {
    const host = byId('insights-lines', HTMLElement);
    const times = series.map((point) => Date.parse(point.start) / 1000);
    const lines: [string, keyof Omit<StatsPoint, 'start' | 'refusedByRule'>, string, number[]][] = [
      ['Delivered', 'delivered', '#1c7c43', []],
      ['Refused', 'refused', '#b3261e', [8, 4]],
      ['Flagged', 'flagged', '#8a5a00', [2, 3]],
      ['Reported', 'reported', '#2450b8', [12, 3, 2, 3]],
    ];
    const chart = new uPlot(
      {
        width: chartWidth(host),
        height: 220,
        series: [
          { label: 'Time' },
          ...lines.map(([label, , stroke, dash]) => ({ label, stroke, dash, width: 2, points: { show: false } })),
        ],
        axes: [{}, { label: `Lines per ${perWhat}` }],
        legend: { live: true },
      },
      [times, ...lines.map(([, key]) => series.map((point) => point[key]))],
      host.querySelector<HTMLElement>('.chart__canvas') ?? host,
    );
    this.charts.push(chart);
    const table = byId('insights-lines-table', HTMLTableElement);
    const rows = series
      .filter((point) => point.delivered + point.refused + point.flagged + point.reported > 0)
      .map((point) =>
        el(
          'tr',
          {},
          el('th', { text: new Date(point.start).toLocaleString(), attrs: { scope: 'row' } }),
          ...lines.map(([, key]) => el('td', { text: String(point[key]) })),
        ),
      );
    table.tBodies[0]?.replaceChildren(...rows);
  }

  private barChart(id: string, label: string, bars: readonly (readonly [string, number])[]): void {
    const host = byId(id, HTMLElement);
    const canvas = host.querySelector<HTMLElement>('.chart__canvas') ?? host;
    const table = host.querySelector('table');
    table?.tBodies[0]?.replaceChildren(
      ...bars.map(([name, value]) =>
        el('tr', {}, el('th', { text: name, attrs: { scope: 'row' } }), el('td', { text: String(value) })),
      ),
    );
    const empty = host.querySelector<HTMLElement>('.empty');
    if (empty) empty.hidden = bars.length > 0;
    canvas.hidden = bars.length === 0;
    if (bars.length === 0) return;
    const names = bars.map(([name]) => name);
    const chart = new uPlot(
      {
        width: chartWidth(host),
        height: 180,
        scales: {
          x: { time: false, range: [-0.5, bars.length - 0.5] },
          // Bars stand on zero, whatever the smallest value.
          y: { range: (_chart, _min, max) => [0, Math.max(1, max)] },
        },
        series: [
          { label: 'Name', value: (_chart, index) => names[Math.round(index)] ?? '' },
          {
            label,
            fill: '#2450b8',
            stroke: '#2450b8',
            paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
            points: { show: false },
          },
        ],
        axes: [
          { values: (_chart, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? (names[tick] ?? '') : '')) },
          { label },
        ],
        legend: { live: true },
      },
      [bars.map((_, index) => index), bars.map(([, value]) => value)],
      canvas,
    );
    this.charts.push(chart);
  }
}

/** At least 280 px (a 360 px phone with the panel's padding), at most the panel's width. */
function chartWidth(host: HTMLElement): number {
  return Math.max(280, Math.min(host.clientWidth || 640, 960) - 16);
}

/** Refusals by rule over the window, most first: a short list that reads well as text. */
function rulesTable(series: readonly StatsPoint[]): HTMLElement[] {
  const byRule = new Map<string, number>();
  for (const point of series) {
    for (const [rule, count] of Object.entries(point.refusedByRule)) byRule.set(rule, (byRule.get(rule) ?? 0) + count);
  }
  if (byRule.size === 0) return [el('p', { className: 'empty', text: 'No refusals in this window.' })];
  const max = Math.max(...byRule.values());
  return [
    el(
      'ul',
      { className: 'rule-bars' },
      ...[...byRule]
        .sort((a, b) => b[1] - a[1])
        .map(([rule, count]) =>
          el(
            'li',
            {},
            el('span', { className: 'rule-bars__name', text: rule }),
            el('meter', {
              attrs: { min: '0', max: String(max), value: String(count), 'aria-label': `${rule}: ${count}` },
            }),
            el('span', { className: 'rule-bars__count', text: String(count) }),
          ),
        ),
    ),
  ];
}
