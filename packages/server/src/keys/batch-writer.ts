/**
 * Collects values in memory, merged per id, and writes them in one batch at most `intervalMs`
 * after the first one, so the request path never waits on a write (`record` does no I/O and makes
 * no promise). A failed flush merges its values back for the next one. Shared by the batched
 * `last_used_at` writer and the usage counters.
 * Example: `new BatchWriter(write, 1000, log, (earlier, later) => later)`.
 */
export class BatchWriter<V> {
  private pending = new Map<string, V>();
  /** Changes whenever pending values are taken for writing or merged back: one answered by `record` before may no longer be pending. */
  generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly write: (batch: ReadonlyMap<string, V>) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    /** Folds a later value of an id into the earlier one (may change and answer `earlier`). */
    private readonly merge: (earlier: V, later: V) => V,
  ) {}

  /** Records `value` for `id`, and answers what is now pending for it (`value`, or the merge). */
  record(id: string, value: V): V {
    const earlier = this.pending.get(id);
    const pending = earlier === undefined ? value : this.merge(earlier, value);
    this.pending.set(id, pending);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
    return pending;
  }

  /** Writes what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.generation++;
    this.flushing = this.write(batch).then(
      () => {},
      (error: unknown) => {
        for (const [id, value] of batch) {
          const later = this.pending.get(id);
          this.pending.set(id, later === undefined ? value : this.merge(value, later));
        }
        this.generation++;
        this.onError(error);
      },
    );
    await this.flushing;
  }
}
