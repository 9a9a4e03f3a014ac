import type { KeyStatus } from '@keymint/api';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { KeyRecord, Millis } from './records.js';
import type { Database } from './schema.js';

/** A test of one field of a key at `now`, named by its record field and its column. */
type Condition =
  /** The time is set (revocation takes effect when recorded). */
  | { kind: 'set'; field: 'revokedAt'; column: 'revoked_at' }
  /** The time is set and not after `now`. */
  | { kind: 'reached'; field: 'expiresAt'; column: 'expires_at' }
  /** The flag is off. */
  | { kind: 'off'; field: 'enabled'; column: 'enabled' };

/**
 * A key's status, written once as data: the first rule that holds names it, else `OTHERWISE`.
 * Revocation wins over expiry, expiry over disabling. `statusOf` reads the rules in TypeScript
 * and `statusWhere` turns them into SQL (a listing's status filter), so the two cannot disagree.
 */
const RULES: readonly { status: KeyStatus; when: Condition }[] = [
  { status: 'revoked', when: { kind: 'set', field: 'revokedAt', column: 'revoked_at' } },
  { status: 'expired', when: { kind: 'reached', field: 'expiresAt', column: 'expires_at' } },
  { status: 'disabled', when: { kind: 'off', field: 'enabled', column: 'enabled' } },
];
const OTHERWISE: KeyStatus = 'active';

function holds(condition: Condition, key: KeyRecord, now: Millis): boolean {
  switch (condition.kind) {
    case 'set':
      return key[condition.field] !== null;
    case 'reached': {
      const at = key[condition.field];
      return at !== null && at <= now;
    }
    case 'off':
      return !key[condition.field];
  }
}

/** A key's status at `now`. */
export function statusOf(key: KeyRecord, now: Millis): KeyStatus {
  for (const rule of RULES) if (holds(rule.when, key, now)) return rule.status;
  return OTHERWISE;
}

type KeyColumns = ExpressionBuilder<Database, 'api_keys'>;

/** `holds` in SQL, never NULL (so that NOT of it is its exact opposite). */
function holdsInSql(eb: KeyColumns, condition: Condition, now: Millis): Expression<SqlBool> {
  switch (condition.kind) {
    case 'set':
      return eb(condition.column, 'is not', null);
    case 'reached':
      return eb.and([eb(condition.column, 'is not', null), eb(condition.column, '<=', now)]);
    case 'off':
      return eb(condition.column, '=', 0);
  }
}

/** The SQL condition on `api_keys` of the keys whose `statusOf` at `now` is `status`: no earlier rule holds, and its own does. */
export function statusWhere(status: KeyStatus, now: Millis): (eb: KeyColumns) => Expression<SqlBool> {
  const at = status === OTHERWISE ? RULES.length : RULES.findIndex((rule) => rule.status === status);
  return (eb) =>
    eb.and([
      ...RULES.slice(0, at).map((rule) => eb.not(holdsInSql(eb, rule.when, now))),
      ...RULES.slice(at, at + 1).map((rule) => holdsInSql(eb, rule.when, now)),
    ]);
}
