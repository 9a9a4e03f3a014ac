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

  constructor(write: (counts: readonly UsageCount[]) => Promise<void>, onError: (error: unknown) => void, intervalMs = USAGE_FLUSH_MS) {
    this.batches = new BatchWriter((batch) => write([...batch.values()]), intervalMs, onError, add);
  }

  count({ key, code, creditsSpent, tags, at }: CountedVerify): void {
    const minute = at - (at % BUCKET_MS.minute);
    const id = `${key.id} ${minute} ${code}`;
    const base = { keyId: key.id, organizationId: key.organizationId, userId: key.userId, minute, code };
    this.batches.record(id, { ...base, n: 1, creditsSpent });
    // A verify naming a tag twice counts once for it.
    if (tags) for (const tag of new Set(tags)) this.batches.record(`${id} ${tag}`, { ...base, tag, n: 1, creditsSpent });
  }

  /** Writes what is pending now. */
  async flush(): Promise<void> {
    await this.batches.flush();
  }
}
