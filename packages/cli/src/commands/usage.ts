import type { KeyUsageInfo, UsageInfo, UsageParams } from '@keymint/sdk';
import { Option, type Command } from 'commander';
import { fold, sparkline } from '../chart.js';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import { bold, dim, show, table, type Output } from '../output.js';

type Bucket = UsageInfo['buckets'][number];
type Group = NonNullable<UsageInfo['groups']>[number];

/** Widest chart: one line of a common terminal, with room for its labels. */
const CHART_WIDTH = 60;

function sumCodes(rows: { codes: Record<string, number> }[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const row of rows) for (const [code, n] of Object.entries(row.codes)) totals.set(code, (totals.get(code) ?? 0) + n);
  return byCount([...totals]);
}

/** Most frequent first, then by name, so the same counts always print the same. */
const byCount = (entries: [string, number][]) => entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

const codesText = (codes: Record<string, number>) =>
  byCount(Object.entries(codes))
    .map(([code, n]) => `${code}=${n}`)
    .join(' ');

/** The chart of totals per bucket, the range it spans, and the totals by code. */
function usageText(output: Output, title: string, answer: { granularity: string; buckets: Bucket[]; groups?: Group[] }): string {
  const { buckets, granularity } = answer;
  const { values, per } = fold(
    buckets.map((b) => b.total),
    CHART_WIDTH,
  );
  const total = buckets.reduce((sum, b) => sum + b.total, 0);
  const credits = buckets.reduce((sum, b) => sum + b.creditsSpent, 0);
  const unit = per === 1 ? granularity : `${per} ${granularity}s`;
  const range = buckets.length ? `${buckets[0].start} → ${buckets[buckets.length - 1].start}` : 'no buckets';
  const lines = [
    `${bold(output, title)} ${dim(output, `(${range}, per ${granularity})`)}`,
    `${sparkline(values)}  ${dim(output, `peak ${Math.max(0, ...values)} per ${unit}`)}`,
    `${total} verifies, ${credits} credits spent`,
  ];
  const codes = sumCodes(buckets);
  if (codes.length) lines.push('', table(output, ['CODE', 'VERIFIES'], codes));
  if (answer.groups?.length) {
    const label = (g: Group) => g.keyId ?? g.code ?? g.tag;
    lines.push(
      '',
      table(
        output,
        ['GROUP', 'TOTAL', 'CREDITS SPENT', 'CODES'],
        answer.groups.map((g) => [label(g), g.total, g.creditsSpent, codesText(g.codes)]),
      ),
    );
  }
  return lines.join('\n');
}

interface UsageOptions {
  org?: string;
  user?: string;
  from?: string;
  to?: string;
  granularity?: UsageParams['granularity'];
  groupBy?: UsageParams['groupBy'];
}

/** `keymint usage [KEY_ID]`: one key's verifies, or (with --org / --user, or neither) those of every key you may read. */
export function registerUsage(program: Command): void {
  program
    .command('usage [key-id]')
    .description('verifies per bucket as a chart, with totals by code: one key’s, or an organization’s / user’s / all you may read')
    .option('--org <id>', 'every key of this organization')
    .option('--user <id>', 'every key of this user')
    .option('--from <time>', 'start, RFC 3339 (default 24 h ago)')
    .option('--to <time>', 'end, RFC 3339 (default now)')
    .addOption(new Option('--granularity <width>', 'bucket width (default hour)').choices(['minute', 'hour', 'day']))
    .addOption(new Option('--group-by <what>', 'also list the largest groups (not with a key id)').choices(['key', 'code', 'tag']))
    .action(
      withClient<UsageOptions>(async ({ client, output, options }, keyId) => {
        const range = { from: options.from, to: options.to, granularity: options.granularity };
        if (keyId !== undefined) {
          if (options.org || options.user || options.groupBy) throw new UsageError('usage: a key id goes without --org, --user and --group-by');
          show(output, await client.usage.get(keyId, range), (u: KeyUsageInfo) => usageText(output, `usage of ${u.keyId}`, u));
          return;
        }
        const answer = await client.usage.query({ ...range, organizationId: options.org, userId: options.user, groupBy: options.groupBy });
        const owner = options.org ? `organization ${options.org}` : options.user ? `user ${options.user}` : 'all keys';
        show(output, answer, (u) => usageText(output, `usage of ${owner}`, u));
      }),
    );
}
