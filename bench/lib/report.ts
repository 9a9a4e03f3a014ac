import type { BenchContext, Measurement } from './scenarios.js';

/** One line of the targets table. */
export interface Check {
  target: string;
  measured: string;
  pass: boolean;
}

const ms = (value: number) => (Number.isFinite(value) ? `${value} ms` : '—');
const serverMs = (seconds: number | undefined) =>
  seconds === undefined ? '' : Number.isNaN(seconds) ? 'n/a' : seconds === Infinity ? '> 50 ms' : `${(seconds * 1000).toFixed(3)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The measurements as a Markdown table. */
export function measurementTable(measurements: Measurement[]): string {
  const rows = measurements.map((m) => {
    const r = m.result;
    const failures = r.non2xx + r.errors ? `${r.non2xx} / ${r.errors}` : '0';
    return `| ${m.group} | ${m.name} | ${m.connections} | ${Math.round(r.requestsPerSecond).toLocaleString('en')} | ${m.cpuMicros.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p97_5)} | ${ms(r.p99)} | ${serverMs(m.serverP99)} | ${failures} |`;
  });
  return [
    '| store | scenario | connections | req/s | server CPU µs/request | p50 | p97.5 | p99 | server-side p99 (verify handler) | non-2xx / errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The targets with what was measured against each. */
export function checkTable(checks: Check[]): string {
  return ['| target | measured | met |', '| --- | --- | --- |', ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.pass ? 'yes' : '**no**'} |`)].join(
    '\n',
  );
}

/** Peak resident memory of every server process. */
export function rssTable(ctx: BenchContext): string {
  return ['| server process | peak RSS (VmHWM) |', '| --- | ---: |', ...ctx.peakRss.map((p) => `| ${p.server} | ${mib(p.bytes)} |`)].join('\n');
}
