import type { VerifyCode } from '@keymint/api';
import type { Camelize } from './case.js';

// The one wire shape @keymint/api does not define: usage. No `GET /v1/keys/{id}/usage` route
// exists yet (metering is deferred), so this is written from the contract (API.md) and the
// server answers 404 until it is built. When @keymint/api exports the schema, this becomes a
// `Camelize<…>` alias in types.ts like every other type, and this file goes away.

/** Answer of `GET /v1/keys/{id}/usage`: verification counts per time bucket, split by code. */
interface UsageWire {
  key_id: string;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  buckets: { start: string; total: number; counts: Partial<Record<VerifyCode, number>> }[];
}

/** `usage.get` input. */
export interface GetUsageParams {
  from?: string;
  to?: string;
  granularity?: 'hour' | 'day';
}
/** `usage.get` answer. */
export type KeyUsage = Camelize<UsageWire>;
