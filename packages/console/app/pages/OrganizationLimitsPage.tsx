import { ErrorMessage, formatDate, MeteringFields, meteringParams, meteringValue, useKeymint, type MeteringValue } from '@keymint/react';
import type { CreditsChangeParams, OrganizationLimitsInfo, SetOrganizationLimitsParams } from '@keymint/sdk';
import { useState, type FormEvent } from 'react';

const OPS: CreditsChangeParams['op'][] = ['set', 'increment', 'decrement'];

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

/** The organization's limits and pool in the same fields as a key's; saving replaces both (PUT). */
function EditLimits({ limits, onSave }: { limits: OrganizationLimitsInfo; onSave: (params: SetOrganizationLimitsParams) => Promise<void> }) {
  const [value, setValue] = useState<MeteringValue>(() => meteringValue(limits));
  const [problem, setProblem] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = meteringParams(value);
    setProblem('problem' in checked ? checked.problem : '');
    if ('problem' in checked) return;
    void onSave({ rateLimits: checked.params.rateLimits ?? [], credits: checked.params.credits ?? null });
  };
  return (
    <section aria-labelledby="ol-edit">
      <h2 id="ol-edit">Edit limits</h2>
      <form className="km-form" onSubmit={submit}>
        <MeteringFields value={value} onChange={setValue} creditsLabel="Shared credit pool (a verify of any of its keys spends from it)" />
        <ErrorMessage error={problem} />
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
