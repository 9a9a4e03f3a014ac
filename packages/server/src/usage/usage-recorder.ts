import { BatchWriter } from '../keys/batch-writer.js';
import { BUCKET_MS, type UsageCount } from '../store/usage-records.js';
import type { Millis } from '../store/records.js';

/** Batches are written at least this often (ms): a crash loses at most this much of the counts. */
export const USAGE_FLUSH_MS = 1000;

/** One verify of a found key, as the key service hands it over. */
export interface CountedVerify {
  key: { id: string; organizationId: string | null; userId: string | null };
  code: string;
  /** Credits this verify spent (0 unless `VALID` on a key with credits). */
  creditsSpent: number;
  tags: readonly string[] | undefined;
  at: Millis;
}

const add = (earlier: UsageCount, later: UsageCount): UsageCount => {
  earlier.n += later.n;
  earlier.creditsSpent += later.creditsSpent;
  return earlier;
};

/**
 * Counts verifies per key, UTC minute and code (and per tag) in memory, on the request path
 * with no I/O and no promise; the counts go to the store in one batch at least once a second
 * (`Store.addUsage`, which adds them to what the buckets hold).
 */
export class UsageRecorder {
  private readonly batches: BatchWriter<UsageCount>;
  /**
   * Each key's pending counts by code, for the minute they were recorded in: the objects the
   * batch holds, added to in place. Emptied whenever the batch's pending values change hands
   * (`generation`), so it never holds more keys than one batch.
   */
  private current = new Map<string, { minute: Millis; codes: Map<string, UsageCount> }>();
  private generation = 0;

  constructor(write: (counts: readonly UsageCount[]) => Promise<void>, onError: (error: unknown) => void, intervalMs = USAGE_FLUSH_MS) {
    this.batches = new BatchWriter((batch) => write([...batch.values()]), intervalMs, onError, add);
  }

  count({ key, code, creditsSpent, tags, at }: CountedVerify): void {
    const minute = at - (at % BUCKET_MS.minute);
    if (this.generation !== this.batches.generation) {
      this.generation = this.batches.generation;
      this.current = new Map();
    }
    let current = this.current.get(key.id);
    if (current === undefined || current.minute !== minute) {
      current = { minute, codes: new Map() };
      this.current.set(key.id, current);
    }
    // The pending count of this key, minute and code is added to in place: no id to build, nothing to allocate.
    const pending = current.codes.get(code);
    if (pending !== undefined) {
      pending.n++;
      pending.creditsSpent += creditsSpent;
    } else {
      const count = { keyId: key.id, organizationId: key.organizationId, userId: key.userId, minute, code, n: 1, creditsSpent };
      current.codes.set(code, this.batches.record(`${key.id} ${minute} ${code}`, count));
    }
    if (tags) this.countTags(key, minute, code, creditsSpent, tags);
  }

  private countTags(key: CountedVerify['key'], minute: Millis, code: string, creditsSpent: number, tags: readonly string[]): void {
    // A verify naming a tag twice counts once for it.
    for (const tag of new Set(tags)) {
      const count = { keyId: key.id, organizationId: key.organizationId, userId: key.userId, minute, code, tag, n: 1, creditsSpent };
      this.batches.record(`${key.id} ${minute} ${code} ${tag}`, count);
    }
  }

  /** Writes what is pending now. */
  async flush(): Promise<void> {
    await this.batches.flush();
  }
}
