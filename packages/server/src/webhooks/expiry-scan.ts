import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { presentKey } from '../keys/present.js';
import type { Store } from '../store/store.js';

const DAY_MS = 24 * 3_600_000;

/** Keys raised per rule per scan: a backlog drains over several scans. */
const SCAN_BATCH = 100;

/**
 * The scheduled events: which keys each one is for, as a window of `expires_at` around `now`.
 * `key.expiring` 7 days and 1 day before (a key whose expiry is already within a day gets only
 * the 1-day one), `key.expired` once it has passed; one missed by more than a day (the server
 * was down) is not raised late.
 */
const RULES = [
  { mark: 'expiring_7d', type: 'key.expiring', from: DAY_MS, to: 7 * DAY_MS },
  { mark: 'expiring_1d', type: 'key.expiring', from: 1, to: DAY_MS },
  { mark: 'expired', type: 'key.expired', from: -DAY_MS, to: 1 },
] as const;

/**
 * Raises `key.expiring` and `key.expired` for the keys whose expiry entered a window since the
 * last scan. Each (key, event, expiry) is raised once even with several instances scanning: the
 * store writes a mark row and the event together, and a second writer finds the mark taken.
 * Answers how many events it raised.
 */
export async function scanExpiries(store: Store, clock: Clock): Promise<number> {
  let raised = 0;
  for (const rule of RULES) {
    const now = clock.now();
    const keys = await store.findUnmarkedExpiries(now + rule.from, now + rule.to, rule.mark, SCAN_BATCH);
    for (const key of keys) {
      const event = { key, mark: rule.mark, eventId: newId('evt'), type: rule.type, data: presentKey(key, now) };
      if (await store.raiseScheduledEvent(event, now)) raised++;
    }
  }
  return raised;
}
