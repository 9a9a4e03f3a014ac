/** The outcome of one item of a batch: its value, or the error that failed it (and only it). */
export type Settled<R> = { value: R } | { error: unknown };

/** Most items committed together: bounds how long one batch holds the event loop. */
const MAX_BATCH = 128;

/**
 * Group commit: items submitted while a batch is queued or running are committed together, in
 * arrival order, by one call of `commit`. A SQLite commit costs its WAL page writes whatever it
 * holds, and a PostgreSQL statement or a Redis script its round trip, so the writes arriving in
 * the same event-loop turn share one. `commit` settles each item
 * on its own (one failing item does not fail the others); if `commit` itself throws, nothing of
 * the batch was committed and every item fails with that error. Items are answered only after
 * their batch has committed.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  private draining = false;

  constructor(private readonly commit: (items: T[]) => Promise<Settled<R>[]>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // After the poll phase: every request read in this turn of the event loop joins the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let results: Settled<R>[] | undefined;
      let failure: unknown;
      try {
        results = await this.commit(batch.map((entry) => entry.item));
      } catch (error) {
        failure = error;
      }
      batch.forEach((entry, i) => {
        const result = results?.[i];
        if (result && 'value' in result) entry.resolve(result.value);
        else entry.reject(result ? result.error : (failure ?? new Error('group commit gave this item no outcome')));
      });
    }
    this.draining = false;
  }
}
