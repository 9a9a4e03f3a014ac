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
  /** How often each instance publishes its heartbeat, ms (real time). */
  heartbeatIntervalMs?: number;
  /** No own heartbeat back (or a peer's) within this → unhealthy, ms (real time). */
  heartbeatDeadlineMs?: number;
  /** A peer silent this long without saying goodbye is forgotten, ms (real time). */
  peerForgetMs?: number;
}

/** The longest wait between reconnect attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 1000;
export const HEARTBEAT_INTERVAL_MS = 500;
export const HEARTBEAT_DEADLINE_MS = 1500;
const PEER_FORGET_MS = 300_000;

/** A message on the channel: an invalidation, a heartbeat (`beat`) or a goodbye (`bye`). */
interface Message {
  from: string;
  beat?: true;
  bye?: true;
  invalidation: Invalidation;
}

/** Reads a message; anything malformed is dropped. */
function parseMessage(text: string): Message | null {
  try {
    const message: unknown = JSON.parse(text);
    if (typeof message !== 'object' || message === null) return null;
    const { from, keyId, digest, rootKeys, organizationId, beat, bye } = message as Record<string, unknown>;
    if (typeof from !== 'string') return null;
    const invalidation: Invalidation = {};
    if (typeof keyId === 'string') invalidation.keyId = keyId;
    if (typeof digest === 'string') invalidation.digest = digest;
    if (rootKeys === true) invalidation.rootKeys = true;
    if (typeof organizationId === 'string') invalidation.organizationId = organizationId;
    return { from, invalidation, ...(beat === true && { beat }), ...(bye === true && { bye }) };
  } catch {
    return null;
  }
}

/**
 * Invalidations between instances over Redis pub/sub. Each instance has an id and ignores its
 * own invalidations. Publishing never waits for a lost Redis (no offline queue, bounded command
 * time) and never fails the change it reports: the change is committed, and the other instances
 * bound their caches (below).
 *
 * Liveness is proved, not assumed: a silent network keeps a TCP connection "ready" forever. Each
 * instance publishes a heartbeat every `heartbeatIntervalMs` on the shared channel and must hear
 * its own back within `heartbeatDeadlineMs` (the whole path: publisher → Redis → subscriber); it
 * must also keep hearing every peer it has heard. Healthy only while its own heartbeat comes
 * back, no publish failed since, and no peer has gone silent without a goodbye. A missed deadline
 * drops the subscriber connection, a failed publish the publisher connection (ioredis then
 * reconnects, retrying at most every second); healthy again once its heartbeat comes back.
 */
export class RedisBus implements InvalidationBus {
  readonly instanceId = randomUUID();
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: ((invalidation: Invalidation) => void)[] = [];
  private readonly healthHandlers: ((healthy: boolean) => void)[] = [];
  private readonly intervalMs: number;
  private readonly deadlineMs: number;
  private readonly forgetMs: number;
  /** Peers heard since this instance was last live: id → when last heard (performance.now()). */
  private readonly peers = new Map<string, number>();
  private readonly beat: NodeJS.Timeout;
  private readonly deadline: NodeJS.Timeout;
  private subscribed = false;
  /** Our own heartbeat came back within the deadline and no publish failed since. */
  private live = false;
  private silentPeers = 0;
  private wasHealthy = false;
  private closing = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channel = options.channel ?? 'keymint:invalidations';
    this.intervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.deadlineMs = options.heartbeatDeadlineMs ?? HEARTBEAT_DEADLINE_MS;
    this.forgetMs = options.peerForgetMs ?? PEER_FORGET_MS;
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
        this.lost('connection to Redis closed');
        this.update();
      });
    }
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => {
          this.subscribed = true;
          this.deadline.refresh();
          this.heartbeat();
        },
        () => this.subscriber.disconnect(true),
      );
    });
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    this.beat = setInterval(() => this.heartbeat(), this.intervalMs).unref();
    this.deadline = setTimeout(() => this.missedDeadline(), this.deadlineMs).unref();
  }

  async publish(invalidation: Invalidation): Promise<void> {
    await this.send(invalidation, 'invalidation not published');
  }

  subscribe(handler: (invalidation: Invalidation) => void): void {
    this.handlers.push(handler);
  }

  healthy(): boolean {
    return this.live && this.silentPeers === 0 && this.subscribed && this.subscriber.status === 'ready' && this.publisher.status === 'ready';
  }

  onHealthChange(handler: (healthy: boolean) => void): void {
    this.healthHandlers.push(handler);
    if (!this.healthy()) handler(false);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.beat);
    clearTimeout(this.deadline);
    // A goodbye, so that the peers do not take this instance's silence for a partition.
    if (this.publisher.status === 'ready') await this.send({ bye: true }, 'goodbye not published');
    await Promise.all([this.publisher, this.subscriber].map((c) => c.quit().catch(() => c.disconnect())));
  }

  /** Publishes; a failure (refused or timed out) makes the bus unhealthy until its heartbeat comes back. */
  private async send(body: object, failure: string): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ from: this.instanceId, ...body }));
    } catch (err) {
      if (!('beat' in body)) this.options.logger.warn({ err: { message: (err as Error).message } }, `${failure}: Redis unavailable`);
      // A connection that looks ready but does not answer is silent: start it over.
      if (this.publisher.status === 'ready' && !this.closing) this.publisher.disconnect(true);
      this.lost('a publish failed');
    }
  }

  private heartbeat(): void {
    if (this.closing || !this.subscribed || this.publisher.status !== 'ready') return;
    this.countSilentPeers();
    void this.send({ beat: true }, 'heartbeat not published');
  }

  private receive(text: string): void {
    const message = parseMessage(text);
    if (!message) return;
    if (message.from === this.instanceId) {
      if (message.beat) this.alive();
      return;
    }
    if (message.bye) this.peers.delete(message.from);
    else this.peers.set(message.from, performance.now());
    if (message.beat || message.bye) this.countSilentPeers();
    else for (const handler of this.handlers) handler(message.invalidation);
  }

  /** Our own heartbeat came back: the whole path works. */
  private alive(): void {
    this.deadline.refresh();
    if (this.live) return;
    this.live = true;
    this.update();
  }

  private missedDeadline(): void {
    if (this.closing) return;
    // Subscribed but deaf (a silent network): drop the connection, ioredis reconnects.
    if (this.subscriber.status === 'ready') this.subscriber.disconnect(true);
    this.lost(`no heartbeat back within ${this.deadlineMs} ms`);
  }

  /** Silent peers may be publishing invalidations we cannot hear. */
  private countSilentPeers(): void {
    const now = performance.now();
    let silent = 0;
    for (const [peer, heard] of this.peers) {
      if (now - heard > this.forgetMs) this.peers.delete(peer);
      // Checked once per interval, so two missed beats: within the deadline of the silence.
      else if (now - heard > this.deadlineMs - this.intervalMs) silent++;
    }
    if (silent === this.silentPeers) return;
    this.silentPeers = silent;
    this.update(silent > 0 ? `${silent} peer instance(s) silent for over ${this.deadlineMs} ms` : undefined);
  }

  /** Not live until our own heartbeat comes back; the peers are heard afresh from then on. */
  private lost(reason: string): void {
    this.peers.clear();
    this.silentPeers = 0;
    if (!this.live) return;
    this.live = false;
    this.update(reason);
  }

  private update(reason?: string): void {
    const healthy = this.healthy();
    if (healthy === this.wasHealthy || this.closing) return;
    this.wasHealthy = healthy;
    if (healthy) this.options.logger.info({ instance: this.instanceId }, 'invalidation channel connected');
    else
      this.options.logger.warn(
        { instance: this.instanceId, reason },
        `invalidation channel lost: verify cache entries now live at most ${DEGRADED_CACHE_TTL_MS} ms`,
      );
    for (const handler of this.healthHandlers) handler(healthy);
  }
}
