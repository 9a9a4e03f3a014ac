import { codesOf, ErrorMessage, rangeStart, UsageChart, useKeymint, type ChartGranularity } from '@keymint/react';
import type { UsageInfo } from '@keymint/sdk';
import { useEffect, useState } from 'react';

type Group = NonNullable<UsageInfo['groups']>[number];
/** Keys named in the table (their names are read one by one, so not all 100 the server ranks). */
const TOP = 20;

/** Verifies of every key this credential may read: outcomes over time, and the keys verified most, over one range. */
export function UsagePage({ onOpenKey }: { onOpenKey: (keyId: string) => void }) {
  const { client } = useKeymint();
  const [granularity, setGranularity] = useState<ChartGranularity>('hour');
  return (
    <>
      <h1>Usage</h1>
      <UsageChart
        title="Outcomes over time"
        granularity={granularity}
        onGranularityChange={setGranularity}
        load={async (params, signal) => (await client.usage.query(params, { signal })).buckets}
      />
      <TopKeys granularity={granularity} onOpenKey={onOpenKey} />
    </>
  );
}

function TopKeys({ granularity, onOpenKey }: { granularity: ChartGranularity; onOpenKey: (keyId: string) => void }) {
  const { client } = useKeymint();
  // Kept with the width they were asked at, so the caption never names another range than shown.
  const [loaded, setLoaded] = useState<{ granularity: ChartGranularity; groups: Group[] }>();
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    setError(undefined);
    client.usage.query({ granularity, from: rangeStart(granularity), groupBy: 'key' }, { signal }).then(
      async (answer) => {
        const top = (answer.groups ?? []).slice(0, TOP);
        setLoaded({ granularity, groups: top });
        // A key deleted since it was verified has no name left: its id stands in.
        const found = await Promise.allSettled(top.map((g) => client.keys.get(g.keyId!, { signal })));
        if (signal.aborted) return;
        setNames(new Map(found.flatMap((result) => (result.status === 'fulfilled' ? [[result.value.id, result.value.name] as const] : []))));
      },
      (failure: unknown) => signal.aborted || setError(failure),
    );
    return () => controller.abort();
  }, [client, granularity]);
  const groups = loaded?.groups;
  const range = (loaded?.granularity ?? granularity) === 'hour' ? 'the last 24 hours' : 'the last 30 days';
  return (
    <section aria-labelledby="us-top">
      <h2 id="us-top">Top keys</h2>
      <ErrorMessage error={error} />
      {groups?.length === 0 && <p className="km-muted">No key was verified in {range}.</p>}
      {groups && groups.length > 0 && (
        <table className="km-table">
          <caption className="km-visually-hidden">Keys with the most verifications in {range}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Verifications</th>
              <th scope="col">By outcome</th>
              <th scope="col">Credits spent</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              const keyId = group.keyId!;
              return (
                <tr key={keyId}>
                  <td data-label="Key">
                    <a
                      href={`/console/keys/${encodeURIComponent(keyId)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        onOpenKey(keyId);
                      }}
                    >
                      {names.get(keyId) ?? keyId}
                    </a>
                  </td>
                  <td data-label="Verifications">{group.total}</td>
                  <td data-label="By outcome">
                    {codesOf([{ start: '', total: group.total, codes: group.codes, creditsSpent: group.creditsSpent }])
                      .map((c) => `${c.code} ${c.total}`)
                      .join(' · ')}
                  </td>
                  <td data-label="Credits spent">{group.creditsSpent}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
