import { ErrorMessage, formatDate, useKeymint } from '@keymint/react';
import type { CreditsChangeParams, OrganizationLimitsInfo, SetOrganizationLimitsParams } from '@keymint/sdk';
import { useState, type FormEvent } from 'react';

type RateLimitInput = NonNullable<SetOrganizationLimitsParams['rateLimits']>[number];
type Interval = NonNullable<NonNullable<NonNullable<SetOrganizationLimitsParams['credits']>['refill']>['interval']>;
const INTERVALS: Interval[] = ['hourly', 'daily', 'weekly', 'monthly'];
const OPS: CreditsChangeParams['op'][] = ['set', 'increment', 'decrement'];
/** The server holds at most this many limits per organization. */
const MAX_RATE_LIMITS = 10;

/** An organization's shared rate limits and credit pool: look up by id, edit (PUT), change the balance. */
export function OrganizationLimitsPage({ canWrite }: { canWrite: boolean }) {
  const { client } = useKeymint();
  const [organizationId, setOrganizationId] = useState('');
  const [limits, setLimits] = useState<OrganizationLimitsInfo>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  /** Runs a call whose answer is the organization's limits, and shows them. */
  const run = async (call: () => Promise<OrganizationLimitsInfo>, done: string) => {
    try {
      setLimits(await call());
      setError(undefined);
      setNotice(done);
    } catch (failure) {
      setError(failure);
      setNotice('');
    }
  };
  const lookUp = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const id = organizationId.trim();
    setLimits(undefined);
    void run(() => client.organizations.getLimits(id), '');
  };
  return (
    <>
      <h1>Organization limits</h1>
      <form className="km-toolbar" onSubmit={lookUp}>
        <label htmlFor="ol-id">Organization ID</label>
        <input
          id="ol-id"
          className="km-input"
          required
          maxLength={255}
          autoComplete="off"
          value={organizationId}
          onChange={(e) => setOrganizationId(e.target.value)}
        />
        <button type="submit" className="km-button">
          Show limits
        </button>
      </form>
      <ErrorMessage error={error} />
      <p className="km-muted" role="status">
        {notice}
      </p>
      {limits && (
        <>
          <CurrentLimits limits={limits} />
          {canWrite && (
            <>
              <EditLimits
                key={JSON.stringify(limits)}
                limits={limits}
                onSave={(params) => run(() => client.organizations.setLimits(limits.organizationId, params), 'Limits saved.')}
              />
              <ChangeCredits
                onChange={(params) => run(() => client.organizations.credits(limits.organizationId, params), `Credits: ${params.op} ${params.amount} done.`)}
              />
            </>
          )}
        </>
      )}
    </>
  );
}

function CurrentLimits({ limits }: { limits: OrganizationLimitsInfo }) {
  const { credits } = limits;
  return (
    <section aria-labelledby="ol-current">
      <h2 id="ol-current">Limits of {limits.organizationId}</h2>
      {limits.rateLimits.length === 0 ? (
        <p className="km-muted">No rate limits.</p>
      ) : (
        <table className="km-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Limit</th>
              <th scope="col">Window (s)</th>
              <th scope="col">Applied</th>
            </tr>
          </thead>
          <tbody>
            {limits.rateLimits.map((limit) => (
              <tr key={limit.name}>
                <td data-label="Name">{limit.name}</td>
                <td data-label="Limit">{limit.limit}</td>
                <td data-label="Window (s)">{limit.windowSeconds}</td>
                <td data-label="Applied">{limit.autoApply ? 'every verify' : 'when named'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p data-testid="ol-credits">
        {credits
          ? `Credit pool: ${credits.remaining} remaining` +
            (credits.refill ? `, refills ${credits.refill.amount} ${credits.refill.interval} (${credits.refill.mode})` : '') +
            (credits.refilledAt ? `, last refilled ${formatDate(credits.refilledAt)}` : '')
          : 'No credit pool.'}
      </p>
    </section>
  );
}

/** One editable rate limit row (numbers kept as typed until saved). */
interface LimitRow {
  name: string;
  limit: string;
  windowSeconds: string;
  autoApply: boolean;
}

function EditLimits({ limits, onSave }: { limits: OrganizationLimitsInfo; onSave: (params: SetOrganizationLimitsParams) => Promise<void> }) {
  const [rows, setRows] = useState<LimitRow[]>(() =>
    limits.rateLimits.map((l) => ({ name: l.name, limit: String(l.limit), windowSeconds: String(l.windowSeconds), autoApply: l.autoApply })),
  );
  const [pool, setPool] = useState(limits.credits !== null);
  const [remaining, setRemaining] = useState(String(limits.credits?.remaining ?? 0));
  const [refillAmount, setRefillAmount] = useState(limits.credits?.refill ? String(limits.credits.refill.amount) : '');
  const [interval, setRefillInterval] = useState<Interval>(limits.credits?.refill?.interval ?? 'monthly');
  const change = (index: number, patch: Partial<LimitRow>) => setRows((all) => all.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const rateLimits: RateLimitInput[] = rows.map((row) => ({
      name: row.name.trim(),
      limit: Number(row.limit),
      windowSeconds: Number(row.windowSeconds),
      autoApply: row.autoApply,
    }));
    const refill = refillAmount.trim() ? { amount: Number(refillAmount), interval } : null;
    void onSave({ rateLimits, credits: pool ? { remaining: Number(remaining), refill } : null });
  };
  return (
    <section aria-labelledby="ol-edit">
      <h2 id="ol-edit">Edit limits</h2>
      <form className="km-form" onSubmit={submit}>
        {rows.map((row, index) => (
          <fieldset key={index} className="kc-limit">
            <legend>Rate limit {index + 1}</legend>
            <label htmlFor={`ol-name-${index}`}>Name</label>
            <input
              id={`ol-name-${index}`}
              className="km-input"
              required
              pattern="[a-z0-9_.\-]{1,32}"
              value={row.name}
              onChange={(e) => change(index, { name: e.target.value })}
            />
            <label htmlFor={`ol-limit-${index}`}>Requests</label>
            <input
              id={`ol-limit-${index}`}
              className="km-input"
              type="number"
              min={1}
              required
              value={row.limit}
              onChange={(e) => change(index, { limit: e.target.value })}
            />
            <label htmlFor={`ol-window-${index}`}>Per (seconds)</label>
            <input
              id={`ol-window-${index}`}
              className="km-input"
              type="number"
              min={1}
              required
              value={row.windowSeconds}
              onChange={(e) => change(index, { windowSeconds: e.target.value })}
            />
            <label className="kc-check">
              <input type="checkbox" checked={row.autoApply} onChange={(e) => change(index, { autoApply: e.target.checked })} />
              Apply on every verify
            </label>
            <button type="button" className="km-button km-small" onClick={() => setRows((all) => all.filter((_, i) => i !== index))}>
              Remove rate limit {index + 1}
            </button>
          </fieldset>
        ))}
        {rows.length < MAX_RATE_LIMITS && (
          <button
            type="button"
            className="km-button km-small"
            onClick={() => setRows((all) => [...all, { name: '', limit: '100', windowSeconds: '60', autoApply: true }])}
          >
            Add rate limit
          </button>
        )}
        <fieldset className="kc-limit">
          <legend>Credit pool</legend>
          <label className="kc-check">
            <input type="checkbox" checked={pool} onChange={(e) => setPool(e.target.checked)} />
            Shared credit pool
          </label>
          {pool && (
            <>
              <label htmlFor="ol-remaining">Remaining credits</label>
              <input id="ol-remaining" className="km-input" type="number" min={0} required value={remaining} onChange={(e) => setRemaining(e.target.value)} />
              <label htmlFor="ol-refill">Refill amount (empty: no refill)</label>
              <input id="ol-refill" className="km-input" type="number" min={1} value={refillAmount} onChange={(e) => setRefillAmount(e.target.value)} />
              <label htmlFor="ol-interval">Refill interval</label>
              <select id="ol-interval" className="km-input" value={interval} onChange={(e) => setRefillInterval(e.target.value as Interval)}>
                {INTERVALS.map((i) => (
                  <option key={i} value={i}>
                    {i}
                  </option>
                ))}
              </select>
            </>
          )}
        </fieldset>
        <div className="km-actions">
          <button type="submit" className="km-button km-primary">
            Save limits
          </button>
        </div>
      </form>
    </section>
  );
}

function ChangeCredits({ onChange }: { onChange: (params: CreditsChangeParams) => Promise<void> }) {
  const [op, setOp] = useState<CreditsChangeParams['op']>('increment');
  const [amount, setAmount] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void onChange({ op, amount: Number(amount) });
  };
  return (
    <section aria-labelledby="ol-credits-change">
      <h2 id="ol-credits-change">Change credits</h2>
      <form className="km-filters" onSubmit={submit}>
        <div className="km-field">
          <label htmlFor="ol-op">Operation</label>
          <select id="ol-op" className="km-input" value={op} onChange={(e) => setOp(e.target.value as CreditsChangeParams['op'])}>
            {OPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="km-field">
          <label htmlFor="ol-amount">Amount</label>
          <input id="ol-amount" className="km-input" type="number" min={0} required value={amount} onChange={(e) => setAmount(e.target.value)} />
        </div>
        <button type="submit" className="km-button">
          Apply
        </button>
      </form>
    </section>
  );
}
