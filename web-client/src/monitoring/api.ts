// Calls of the monitoring API: the figures of the signed-in referente's (or administrator's)
// scope, the operators' activity, and the links of the downloads and charts.

import { requestJson } from '../api';
import type { MonitoringGroupBy } from '../generated/MonitoringGroupBy';
import type { MonitoringSummary } from '../generated/MonitoringSummary';
import type { OperatorsActivity } from '../generated/OperatorsActivity';

/** What a view asks for: months 'YYYY-MM' and a grouping. */
export interface ViewQuery {
  from: string;
  to: string;
  by: MonitoringGroupBy;
}

/** The figures a chart can show. */
export type Metric = 'booked' | 'held' | 'call_back' | 'no_show' | 'cancelled' | 'citizens';

/** The query string of a view; an empty month is left out (the server's default). */
function query(q: ViewQuery, extra: Record<string, string> = {}): string {
  const months = { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) };
  return new URLSearchParams({ ...months, by: q.by, ...extra }).toString();
}

export async function summary(q: ViewQuery): Promise<MonitoringSummary> {
  return (await requestJson<MonitoringSummary>(`/v1/monitoring/summary?${query(q)}`)).body;
}

/** The link of the CSV download of a view. */
export function csvLink(q: ViewQuery): string {
  return `/v1/monitoring/summary.csv?${query(q)}`;
}

/** The link of the JSON of a view. */
export function jsonLink(q: ViewQuery): string {
  return `/v1/monitoring/summary?${query(q)}`;
}

/** The link of a server-drawn SVG chart of a view. */
export function chartLink(q: ViewQuery, metric: Metric): string {
  return `/v1/monitoring/chart.svg?${query(q, { metric })}`;
}

export async function activity(from: string, to: string, comune?: string): Promise<OperatorsActivity> {
  const p = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(comune ? { comune } : {}) });
  return (await requestJson<OperatorsActivity>(`/v1/monitoring/activity?${p.toString()}`)).body;
}
