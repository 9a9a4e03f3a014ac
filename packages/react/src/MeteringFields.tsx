import type { CreateKeyParams, OrganizationLimitsInfo } from '@keymint/sdk';
import { useId } from 'react';

type RateLimitParams = NonNullable<CreateKeyParams['rateLimits']>[number];
type CreditsParams = NonNullable<CreateKeyParams['credits']>;
type Interval = NonNullable<NonNullable<CreditsParams['refill']>['interval']>;

// The server's bounds (API.md, "Metering"), checked here first so a person hears of them before sending.
/** Most rate limits a key holds. */
export const MAX_RATE_LIMITS = 10;
const NAME_PATTERN = '[a-z0-9_.\\-]{1,32}';
const MAX_LIMIT = 1_000_000_000;
const MAX_WINDOW_SECONDS = 30 * 24 * 3600;
const MAX_REFILL = 1_000_000_000;
const INTERVALS: Interval[] = ['hourly', 'daily', 'weekly', 'monthly'];

/** One rate limit row as typed (numbers kept as text until sent). */
export interface RateLimitRow {
  name: string;
  limit: string;
  windowSeconds: string;
  autoApply: boolean;
}

/** The metering part of a key form: its rate limits and, when `credits` is on, its balance and refill. */
export interface MeteringValue {
  rateLimits: RateLimitRow[];
  credits: boolean;
  remaining: string;
  /** Empty: no refill. */
  refillAmount: string;
  refillInterval: Interval;
  refillMode: 'reset' | 'add';
}

export const emptyMetering = (): MeteringValue => ({
  rateLimits: [],
  credits: false,
  remaining: '1000',
  refillAmount: '',
  refillInterval: 'monthly',
  refillMode: 'reset',
});

/** The form's value for metering already set (an organization's limits and pool, as the server answers them). */
export function meteringValue({ rateLimits, credits }: Pick<OrganizationLimitsInfo, 'rateLimits' | 'credits'>): MeteringValue {
  const empty = emptyMetering();
  return {
    rateLimits: rateLimits.map((l) => ({ name: l.name, limit: String(l.limit), windowSeconds: String(l.windowSeconds), autoApply: l.autoApply })),
    credits: credits !== null,
    remaining: credits ? String(credits.remaining) : empty.remaining,
    refillAmount: credits?.refill ? String(credits.refill.amount) : '',
    refillInterval: credits?.refill?.interval ?? empty.refillInterval,
    refillMode: credits?.refill?.mode ?? empty.refillMode,
  };
}

/**
 * The create parameters for the form's metering, or the first problem the server would answer
 * with a 400 that the inputs' own constraints do not catch (a name given twice).
 */
export function meteringParams(value: MeteringValue): { params: Pick<CreateKeyParams, 'rateLimits' | 'credits'> } | { problem: string } {
  const names = value.rateLimits.map((row) => row.name.trim());
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) return { problem: `Two rate limits are named “${twice}”: each needs its own name.` };
  const rateLimits: RateLimitParams[] = value.rateLimits.map((row, i) => ({
    name: names[i],
    limit: Number(row.limit),
    windowSeconds: Number(row.windowSeconds),
    autoApply: row.autoApply,
  }));
  const refill = value.refillAmount.trim() ? { amount: Number(value.refillAmount), interval: value.refillInterval, mode: value.refillMode } : null;
  return {
    params: {
      ...(rateLimits.length > 0 && { rateLimits }),
      ...(value.credits && { credits: { remaining: Number(value.remaining), refill } }),
    },
  };
}

export interface MeteringFieldsProps {
  value: MeteringValue;
  onChange: (value: MeteringValue) => void;
  /** The checkbox that turns credits on (default: a key's own credits). */
  creditsLabel?: string;
}

/** Inputs for rate limits and credits (a key's, or an organization's shared ones), each labelled, with the server's bounds as constraints. */
export function MeteringFields({ value, onChange, creditsLabel = 'Limit by credits (a verify spends its cost, 1 by default)' }: MeteringFieldsProps) {
  const id = useId();
  const set = (patch: Partial<MeteringValue>) => onChange({ ...value, ...patch });
  const setRow = (index: number, patch: Partial<RateLimitRow>) =>
    set({ rateLimits: value.rateLimits.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  return (
    <>
      <fieldset className="km-fieldset">
        <legend>Rate limits</legend>
        {value.rateLimits.length === 0 && <p className="km-muted">No rate limit: verifies are not limited.</p>}
        {value.rateLimits.map((row, index) => (
          <div key={index} className="km-limit-row" role="group" aria-label={`Rate limit ${index + 1}`}>
            <div className="km-field">
              <label htmlFor={`${id}-name-${index}`}>Limit name</label>
              <input
                id={`${id}-name-${index}`}
                className="km-input"
                required
                pattern={NAME_PATTERN}
                title="1 to 32 of a–z, 0–9, _ . -"
                autoComplete="off"
                value={row.name}
                onChange={(e) => setRow(index, { name: e.target.value })}
              />
            </div>
            <div className="km-field">
              <label htmlFor={`${id}-limit-${index}`}>Requests</label>
              <input
                id={`${id}-limit-${index}`}
                className="km-input"
                type="number"
                required
                min={1}
                max={MAX_LIMIT}
                step={1}
                value={row.limit}
                onChange={(e) => setRow(index, { limit: e.target.value })}
              />
            </div>
            <div className="km-field">
              <label htmlFor={`${id}-window-${index}`}>Per (seconds)</label>
              <input
                id={`${id}-window-${index}`}
                className="km-input"
                type="number"
                required
                min={1}
                max={MAX_WINDOW_SECONDS}
                step={1}
                value={row.windowSeconds}
                onChange={(e) => setRow(index, { windowSeconds: e.target.value })}
              />
            </div>
            <label className="km-check">
              <input type="checkbox" checked={row.autoApply} onChange={(e) => setRow(index, { autoApply: e.target.checked })} />
              Apply on every verify
            </label>
            <button type="button" className="km-button km-small" onClick={() => set({ rateLimits: value.rateLimits.filter((_, i) => i !== index) })}>
              Remove rate limit {index + 1}
            </button>
          </div>
        ))}
        {value.rateLimits.length < MAX_RATE_LIMITS && (
          <button
            type="button"
            className="km-button km-small"
            onClick={() => set({ rateLimits: [...value.rateLimits, { name: '', limit: '100', windowSeconds: '60', autoApply: true }] })}
          >
            Add rate limit
          </button>
        )}
      </fieldset>
      <fieldset className="km-fieldset">
        <legend>Credits</legend>
        <label className="km-check">
          <input type="checkbox" checked={value.credits} onChange={(e) => set({ credits: e.target.checked })} />
          {creditsLabel}
        </label>
        {value.credits && (
          <>
            <label htmlFor={`${id}-remaining`}>Credits</label>
            <input
              id={`${id}-remaining`}
              className="km-input"
              type="number"
              required
              min={0}
              max={Number.MAX_SAFE_INTEGER}
              step={1}
              value={value.remaining}
              onChange={(e) => set({ remaining: e.target.value })}
            />
            <label htmlFor={`${id}-refill`}>Refill amount (empty: no refill)</label>
            <input
              id={`${id}-refill`}
              className="km-input"
              type="number"
              min={1}
              max={MAX_REFILL}
              step={1}
              value={value.refillAmount}
              onChange={(e) => set({ refillAmount: e.target.value })}
            />
            {value.refillAmount.trim() && (
              <>
                <label htmlFor={`${id}-interval`}>Refill every</label>
                <select
                  id={`${id}-interval`}
                  className="km-input"
                  value={value.refillInterval}
                  onChange={(e) => set({ refillInterval: e.target.value as Interval })}
                >
                  {INTERVALS.map((interval) => (
                    <option key={interval} value={interval}>
                      {interval.replace(/ly$/, '').replace(/^dai$/, 'day')} (UTC)
                    </option>
                  ))}
                </select>
                <label htmlFor={`${id}-mode`}>On refill</label>
                <select
                  id={`${id}-mode`}
                  className="km-input"
                  value={value.refillMode}
                  onChange={(e) => set({ refillMode: e.target.value as MeteringValue['refillMode'] })}
                >
                  <option value="reset">Set the credits to the refill amount</option>
                  <option value="add">Add the refill amount</option>
                </select>
              </>
            )}
          </>
        )}
      </fieldset>
    </>
  );
}
