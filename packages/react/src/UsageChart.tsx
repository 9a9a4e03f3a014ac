import type { KeyUsageInfo } from '@keymint/sdk';
import { useEffect, useId, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { useKeymint } from './context.js';
import { ErrorMessage } from './errors.js';

/** One bucket of a usage answer: its start, its total and its verifies by outcome code. */
export type UsageBucketInfo = KeyUsageInfo['buckets'][number];
/** The widths the chart offers (minute buckets are kept only 48 h: not worth a chart). */
export type ChartGranularity = 'hour' | 'day';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The range shown at each width: a day of hours, a month of days. */
const RANGE: Record<ChartGranularity, number> = { hour: 24 * HOUR, day: 30 * DAY };
/** Colours come from `--km-chart-1` … `--km-chart-8` (themable), one per code in order. */
const PALETTE_SIZE = 8;
/** Counts are whole: the y axis steps by 1, 2, 5, 10, 20, 50, … */
const WHOLE_STEPS = Array.from({ length: 27 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

/** The range's start for a width, rounded down to its bucket so the first bucket is whole. */
export function rangeStart(granularity: ChartGranularity, now = Date.now()): string {
  const size = granularity === 'hour' ? HOUR : DAY;
  return new Date(Math.floor((now - RANGE[granularity]) / size) * size + size).toISOString();
}

/** Codes seen in the buckets, VALID first then by count, so a colour keeps its meaning across loads. */
export function codesOf(buckets: readonly UsageBucketInfo[]): { code: string; total: number }[] {
  const totals = new Map<string, number>();
  for (const bucket of buckets) for (const [code, n] of Object.entries(bucket.codes)) totals.set(code, (totals.get(code) ?? 0) + n);
  return [...totals]
    .map(([code, total]) => ({ code, total }))
    .sort((a, b) => (a.code === 'VALID' ? -1 : b.code === 'VALID' ? 1 : b.total - a.total || a.code.localeCompare(b.code)));
}

const hourFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export interface UsageChartProps {
  /** The chart's heading (also its region's name). */
  title: string;
  /** Fetches the buckets of the range for a width (`from` is the range's start). */
  load: (params: { granularity: ChartGranularity; from: string }, signal: AbortSignal) => Promise<readonly UsageBucketInfo[]>;
  /** Changing it loads again. */
  reload?: number;
  /** The width, when the caller holds it (to show other data over the same range); else the chart's own. */
  granularity?: ChartGranularity;
  onGranularityChange?: (granularity: ChartGranularity) => void;
}

/**
 * Verifies per hour or per day by outcome code, drawn by uPlot on a canvas (loaded on first use,
 * so a page without a chart does not pay for it), with the totals per code as text and every
 * bucket in a visually hidden table for screen readers.
 */
export function UsageChart({ title, load, reload = 0, granularity: held, onGranularityChange }: UsageChartProps) {
  const id = useId();
  const [own, setOwn] = useState<ChartGranularity>('hour');
  const granularity = held ?? own;
  const setGranularity = (next: ChartGranularity) => (onGranularityChange ? onGranularityChange(next) : setOwn(next));
  // Kept with the width they were asked at, so labels never describe other buckets than shown.
  const [loaded, setLoaded] = useState<{ granularity: ChartGranularity; buckets: readonly UsageBucketInfo[] }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    load({ granularity, from: rangeStart(granularity) }, controller.signal).then(
      (buckets) => setLoaded({ granularity, buckets }),
      (failure: unknown) => controller.signal.aborted || setError(failure),
    );
    return () => controller.abort();
    // `load` is the caller's and may change every render: what it asks for is in these deps.
  }, [granularity, reload]);
  const buckets = loaded?.buckets;
  const shown = loaded?.granularity ?? granularity;
  const codes = buckets ? codesOf(buckets) : [];
  const total = codes.reduce((sum, c) => sum + c.total, 0);
  const format = shown === 'hour' ? hourFormat : dayFormat;
  const per = shown === 'hour' ? 'hour, the last 24 hours' : 'day, the last 30 days';
  return (
    <section className="km-usage" aria-labelledby={`${id}-title`}>
      <div className="km-usage-head">
        <h3 id={`${id}-title`}>{title}</h3>
        <div className="km-field">
          <label htmlFor={`${id}-granularity`}>Verifications per</label>
          <select
            id={`${id}-granularity`}
            className="km-input km-narrow"
            value={granularity}
            onChange={(e) => setGranularity(e.target.value as ChartGranularity)}
          >
            <option value="hour">Hour (last 24 hours)</option>
            <option value="day">Day (last 30 days)</option>
          </select>
        </div>
      </div>
      <p className="km-muted">The server adds the latest verifications to these counts once a minute.</p>
      <ErrorMessage error={error} />
      {buckets && (
        <>
          <p className="km-usage-summary" data-testid="km-usage-summary">
            {total === 0 ? 'No verifications in this range.' : `${total} verification${total === 1 ? '' : 's'} in this range:`}
          </p>
          {codes.length > 0 && (
            <ul className="km-legend" aria-label="Verifications by outcome">
              {codes.map((c, i) => (
                <li key={c.code}>
                  <span className={`km-swatch km-swatch-${(i % PALETTE_SIZE) + 1}`} aria-hidden="true" />
                  <span className="km-mono">{c.code}</span> {c.total}
                </li>
              ))}
            </ul>
          )}
          <Plot buckets={buckets} codes={codes.map((c) => c.code)} granularity={shown} />
          <div className="km-visually-hidden">
            <table>
              <caption>Verifications per {per}, by outcome</caption>
              <thead>
                <tr>
                  <th scope="col">{shown === 'hour' ? 'Hour' : 'Day'}</th>
                  <th scope="col">Total</th>
                  {codes.map((c) => (
                    <th key={c.code} scope="col">
                      {c.code}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {buckets.map((bucket) => (
                  <tr key={bucket.start}>
                    <th scope="row">{format.format(new Date(bucket.start))}</th>
                    <td>{bucket.total}</td>
                    {codes.map((c) => (
                      <td key={c.code}>{bucket.codes[c.code] ?? 0}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** The canvas: one line per code. Hidden from assistive technology (the table says the same). */
function Plot({ buckets, codes, granularity }: { buckets: readonly UsageBucketInfo[]; codes: string[]; granularity: ChartGranularity }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let chart: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const style = getComputedStyle(element);
      const color = (name: string) => style.getPropertyValue(name).trim();
      const data: uPlot.AlignedData = [buckets.map((b) => Date.parse(b.start) / 1000), ...codes.map((code) => buckets.map((b) => b.codes[code] ?? 0))];
      const axis = { stroke: color('--km-fg'), grid: { stroke: color('--km-border'), width: 1 }, ticks: { stroke: color('--km-border'), width: 1 } };
      chart = new UPlot(
        {
          width: Math.max(element.clientWidth, 200),
          height: 220,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { y: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
          axes: [
            { ...axis, values: granularity === 'day' ? '{D} {MMM}' : undefined },
            { ...axis, size: 48, incrs: WHOLE_STEPS },
          ],
          series: [
            {},
            ...codes.map((code, i) => ({
              label: code,
              stroke: color(`--km-chart-${(i % PALETTE_SIZE) + 1}`),
              width: 2,
              points: { show: buckets.length <= 31 },
            })),
          ],
        },
        data,
        element,
      );
      observer = new ResizeObserver(() => chart?.setSize({ width: Math.max(element.clientWidth, 200), height: 220 }));
      observer.observe(element);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [buckets, codes.join(' '), granularity]);
  return <div ref={box} className="km-chart" aria-hidden="true" />;
}

/** One key's verifies per hour or day, by outcome, from `GET /v1/keys/{id}/usage`. */
export function KeyUsageChart({ keyId, reload }: { keyId: string; reload?: number }) {
  const { client } = useKeymint();
  return <UsageChart title="Usage" reload={reload} load={async (params, signal) => (await client.usage.get(keyId, params, { signal })).buckets} key={keyId} />;
}
