import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { DEGRADED_CACHE_TTL_MS, type InvalidationBus } from './invalidation-bus.js';
import type { Invalidation } from './verify-cache.js';

/** What the bus logs: connection state changes, never message contents. */
export interface BusLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Options of the Redis bus. */
export interface RedisBusOptions {
  url: string;
  logger: BusLogger;
  /** The pub/sub channel; instances that share it share invalidations. */
  channel?: string;
}

/** The longest wait between reconnect attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 1000;

/** Reads a message of another instance; anything malformed is dropped. */
function parseMessage(text: string): { from: string; invalidation: Invalidation } | null {
  try {
    const message: unknown = JSON.parse(text);
    if (typeof message !== 'object' || message === null) return null;
    const { from, keyId, digest, rootKeys } = message as Record<string, unknown>;
    if (typeof from !== 'string') return null;
    const invalidation: Invalidation = {};
    if (typeof keyId === 'string') invalidation.keyId = keyId;
    if (typeof digest === 'string') invalidation.digest = digest;
    if (rootKeys === true) invalidation.rootKeys = true;
    return { from, invalidation };
  } catch {
    return null;
  }
}

/**
 * Invalidations between instances over Redis pub/sub. Each instance has an id and ignores its
 * own messages. Publishing never waits for a lost Redis (no offline queue, bounded command
 * time) and never fails the change it reports: the change is committed, and the other instances,
 * having lost Redis too, are bounding their caches. Reconnects on its own; healthy again only
 * once re-subscribed.
 */
export class RedisBus implements InvalidationBus {
  readonly instanceId = randomUUID();
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: ((invalidation: Invalidation) => void)[] = [];
  private readonly healthHandlers: ((healthy: boolean) => void)[] = [];
  private subscribed = false;
  private wasHealthy = false;
  private closing = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channel = options.channel ?? 'keymint:invalidations';
    const common: RedisOptions = {
      enableOfflineQueue: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: 1000,
      retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    };
    this.publisher = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, common);
    for (const connection of [this.publisher, this.subscriber]) {
      // Without a listener an error event would crash the process; the state change is what matters.
      connection.on('error', () => {});
      connection.on('ready', () => this.update());
      connection.on('close', () => {
        if (connection === this.subscriber) this.subscribed = false;
        this.update();
      });
    }
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => {
          this.subscribed = true;
          this.update();
        },
        () => this.subscriber.disconnect(true),
      );
    });
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = parseMessage(text);
      if (!message || message.from === this.instanceId) return;
      for (const handler of this.handlers) handler(message.invalidation);
    });
  }

  async publish(invalidation: Invalidation): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ from: this.instanceId, ...invalidation }));
    } catch (err) {
      this.options.logger.warn({ err: { message: (err as Error).message } }, 'invalidation not published: Redis unavailable');
    }
  }

  subscribe(handler: (invalidation: Invalidation) => void): void {
    this.handlers.push(handler);
  }

  healthy(): boolean {
    return this.subscribed && this.subscriber.status === 'ready' && this.publisher.status === 'ready';
  }

  onHealthChange(handler: (healthy: boolean) => void): void {
    this.healthHandlers.push(handler);
    if (!this.healthy()) handler(false);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([this.publisher, this.subscriber].map((c) => c.quit().catch(() => c.disconnect())));
  }

  private update(): void {
    const healthy = this.healthy();
    if (healthy === this.wasHealthy || this.closing) return;
    this.wasHealthy = healthy;
    if (healthy) this.options.logger.info({ instance: this.instanceId }, 'invalidation channel connected');
    else this.options.logger.warn({ instance: this.instanceId }, `invalidation channel lost: verify cache entries now live at most ${DEGRADED_CACHE_TTL_MS} ms`);
    for (const handler of this.healthHandlers) handler(healthy);
  }
}
