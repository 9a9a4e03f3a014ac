import { sql, type Kysely } from 'kysely';
import { GroupCommit, type Settled } from './group-commit.js';
import type { QuickSpend } from './metering-sql.js';
import type { Millis } from './records.js';
import type { Database } from './schema.js';

/** One verify's `spendKeyCreditsAtLeast`. */
export interface QuickSpendRequest {
  keyId: string;
  updatedAt: Millis;
  cost: number;
  atLeast: number;
}

/**
 * PostgreSQL's one-statement spends, batched: the spends that arrive in one turn of the event
 * loop go to the server as one UPDATE … FROM (VALUES …), one round trip instead of one each. The
 * spends of one key are taken together (a row is updated once per statement): all of them when
 * the balance holds their sum and the floor above it, else none (each then takes the full spend).
 * Each spend answers the balance it left in arrival order, as if they had run one after another.
 */
export class BatchedQuickSpends {
  private readonly batches = new GroupCommit<QuickSpendRequest, QuickSpend | null>((requests) => this.commit(requests));

  constructor(private readonly db: Kysely<Database>) {}

  spend(request: QuickSpendRequest): Promise<QuickSpend | null> {
    return this.batches.submit(request);
  }

  private async commit(requests: QuickSpendRequest[]): Promise<Settled<QuickSpend | null>[]> {
    const byKey = new Map<string, { updatedAt: Millis; cost: number; floor: number; members: number[] }>();
    const outcomes: Settled<QuickSpend | null>[] = requests.map(() => ({ value: null }));
    requests.forEach((request, i) => {
      const group = byKey.get(request.keyId);
      // A spend cached from another version of the row than the rest of its key's takes the full spend.
      if (group && group.updatedAt !== request.updatedAt) return;
      if (group) {
        group.cost += request.cost;
        group.members.push(i);
      } else byKey.set(request.keyId, { updatedAt: request.updatedAt, cost: request.cost, floor: request.atLeast - request.cost, members: [i] });
    });
    const values = [...byKey].map(
      ([id, group]) =>
        sql`(cast(${id} as text), cast(${group.updatedAt} as bigint), cast(${group.cost} as bigint), cast(${group.cost + group.floor} as bigint))`,
    );
    const { rows } = await sql<{ id: string; credits_remaining: string | number; credits_refilled_at: string | number | null }>`
      update api_keys as k set credits_remaining = k.credits_remaining - v.cost
      from (values ${sql.join(values)}) as v (id, updated_at, cost, at_least)
      where k.id = v.id and k.updated_at = v.updated_at and k.credits_remaining >= v.at_least
      returning k.id, k.credits_remaining, k.credits_refilled_at`.execute(this.db);
    for (const row of rows) {
      const { members } = byKey.get(row.id)!;
      const refilledAt = row.credits_refilled_at === null ? null : Number(row.credits_refilled_at);
      // The last to arrive left the balance the row holds; each earlier one left what the later ones then took.
      let remaining = Number(row.credits_remaining);
      for (let m = members.length - 1; m >= 0; m--) {
        outcomes[members[m]] = { value: { remaining, refilledAt } };
        remaining += requests[members[m]].cost;
      }
    }
    return outcomes;
  }
}
