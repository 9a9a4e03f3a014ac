import type { Millis } from '../store/records.js';
import { BatchWriter } from './batch-writer.js';

/**
 * Collects `last_used_at` times in memory and writes them in one batch every `intervalMs`, so
 * verify never waits on a write. A failed flush keeps the times for the next one (a later time wins).
 */
export class LastUsedRecorder extends BatchWriter<Millis> {
  constructor(write: (batch: ReadonlyMap<string, Millis>) => Promise<void>, intervalMs: number, onError: (error: unknown) => void) {
    super(write, intervalMs, onError, (_earlier, later) => later);
  }
}
