import type { QueueItem, QueueReport } from './types.js';

/** The first N distinct reporters a queue item lists; later reporters are only counted. */
const listedReporters = 50;

/**
 * The reports after one more: a reporter already listed changes nothing (one user cannot push everyone else's
 * reports out), a new one is listed while there is room, and every report after that is only counted.
 */
export function withReport(
  item: Pick<QueueItem, 'reports' | 'reportCount'>,
  report: QueueReport | undefined,
): Pick<QueueItem, 'reports' | 'reportCount'> {
  if (!report || item.reports.some((listed) => listed.by === report.by)) return item;
  if (item.reports.length >= listedReporters) return { reports: item.reports, reportCount: item.reportCount + 1 };
  return { reports: [...item.reports, report], reportCount: item.reportCount + 1 };
}
