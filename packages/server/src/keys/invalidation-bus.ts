import type { Invalidation } from './verify-cache.js';

/**
 * Carries invalidations to the other instances. In a single process there is no one to tell;
 * with Redis every instance subscribes (see `redis-bus.ts`).
 */
export interface InvalidationBus {
  publish(invalidation: Invalidation): Promise<void>;
  /** Registers the handler for invalidations published by other instances. */
  subscribe(handler: (invalidation: Invalidation) => void): void;
  /** True when messages from other instances can currently arrive. */
  healthy(): boolean;
  /**
   * Registers a handler called whenever `healthy()` flips (and at once if it is false), so the
   * caches can bound their staleness while invalidations may be missed.
   */
  onHealthChange?(handler: (healthy: boolean) => void): void;
  close(): Promise<void>;
}

/** How long a verify cache entry may live while the bus is down: the staleness bound then. */
export const DEGRADED_CACHE_TTL_MS = 1000;

/** The bus of a single instance: nothing to publish to. */
export const localBus: InvalidationBus = {
  publish: async () => {},
  subscribe: () => {},
  healthy: () => true,
  close: async () => {},
};
