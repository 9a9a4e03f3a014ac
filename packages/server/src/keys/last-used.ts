import type { Millis } from '../store/records.js';

/**
 * Collects `last_used_at` times in memory and writes them in one batch every `intervalMs`, so
 * verify never waits on a write. A failed flush keeps the times for the next one.
 */
export class LastUsedRecorder {
  private pending = new Map<string, Millis>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly write: (batch: ReadonlyMap<string, Millis>) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(id: string, at: Millis): void {
    this.pending.set(id, at);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).then(
      () => {},
      (error: unknown) => {
        for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
        this.onError(error);
      },
    );
    await this.flushing;
  }
}
