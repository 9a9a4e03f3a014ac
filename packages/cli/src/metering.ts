import type { CreditsChangeParams, OrganizationLimitsInfo, SetOrganizationLimitsParams } from '@keymint/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from './cli-error.js';
import { details, relativeTime, table, type Output } from './output.js';
import { integer } from './parse.js';

type RateLimitParams = NonNullable<SetOrganizationLimitsParams['rateLimits']>[number];
type CreditsParams = NonNullable<SetOrganizationLimitsParams['credits']>;
type RefillParams = NonNullable<CreditsParams['refill']>;
type Credits = OrganizationLimitsInfo['credits'];
type RateLimit = OrganizationLimitsInfo['rateLimits'][number];

const INTERVALS = ['hourly', 'daily', 'weekly', 'monthly'] as const;
const amount = integer(0);

/** Commander collector for `--rate-limit name=LIMIT/WINDOW_SECONDS[:manual]` (repeatable). */
export function collectRateLimit(raw: string, previous: RateLimitParams[] = []): RateLimitParams[] {
  const match = /^([a-z0-9_.-]{1,32})=(\d+)\/(\d+)(:manual)?$/.exec(raw);
  if (!match) throw new InvalidArgumentError('expected name=LIMIT/WINDOW_SECONDS[:manual], e.g. default=100/60');
  return [...previous, { name: match[1], limit: Number(match[2]), windowSeconds: Number(match[3]), autoApply: match[4] === undefined }];
}

/** Commander parser for `--refill AMOUNT/INTERVAL[/DAY][:add]` (e.g. `1000/monthly/15:add`). */
export function parseRefill(raw: string): RefillParams {
  const match = /^(\d+)\/([a-z]+)(?:\/(\d+))?(:add)?$/.exec(raw);
  const interval = INTERVALS.find((i) => i === match?.[2]);
  if (!match || !interval) throw new InvalidArgumentError(`expected AMOUNT/INTERVAL[/DAY][:add], INTERVAL one of ${INTERVALS.join(', ')}`);
  if (match[3] !== undefined && interval !== 'monthly') throw new InvalidArgumentError('a day of the month goes with monthly only');
  return { amount: Number(match[1]), interval, dayOfMonth: match[3] === undefined ? undefined : Number(match[3]), mode: match[4] ? 'add' : 'reset' };
}

export interface CreditsChangeOptions {
  set?: number;
  increment?: number;
  decrement?: number;
}

/** `--set | --increment | --decrement N`: exactly one, as the credits routes take one `{op, amount}`. */
export function addCreditsChangeOptions(command: Command): Command {
  const ops = ['set', 'increment', 'decrement'] as const;
  for (const op of ops) {
    const others = ops.filter((o) => o !== op);
    command.addOption(new Option(`--${op} <n>`, `${op} the balance${op === 'decrement' ? ' (stops at 0)' : ''}`).argParser(amount).conflicts(others));
  }
  return command;
}

export function creditsChange(options: CreditsChangeOptions, commandName: string): CreditsChangeParams {
  const op = (['set', 'increment', 'decrement'] as const).find((o) => options[o] !== undefined);
  if (!op) throw new UsageError(`${commandName}: give one of --set, --increment or --decrement`);
  return { op, amount: options[op]! };
}

const describeRefill = (refill: NonNullable<Credits>['refill']) =>
  refill ? `${refill.mode === 'add' ? '+' : 'reset to '}${refill.amount} ${refill.interval}${refill.dayOfMonth ? ` on day ${refill.dayOfMonth}` : ''}` : '';

/** Credits as label / value lines (`none` when there is no balance). */
export const creditsDetails = (output: Output, credits: Credits) =>
  credits
    ? details(output, [
        ['credits', credits.remaining],
        ['refill', describeRefill(credits.refill) || 'none'],
        ['refilled', relativeTime(credits.refilledAt)],
      ])
    : details(output, [['credits', 'unlimited']]);

/** Rate limits as a table, or a line saying there are none. */
export const rateLimitsTable = (output: Output, limits: RateLimit[]) =>
  limits.length
    ? table(
        output,
        ['RATE LIMIT', 'LIMIT', 'WINDOW', 'APPLIED'],
        limits.map((l) => [l.name, l.limit, `${l.windowSeconds}s`, l.autoApply ? 'every verify' : 'when named']),
      )
    : 'no rate limits';
