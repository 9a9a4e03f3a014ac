import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { WebhookConfig } from '../config.js';
import { newId } from '../ids.js';
import type { ClaimedMessage, Store } from '../store/store.js';
import { deliver } from './deliver.js';
import { scanExpiries } from './expiry-scan.js';
import { attemptResult, type AttemptOutcome } from './retry-policy.js';
import { openWebhookSecret, signedHeaders } from './signature.js';

/** A claimed message is this instance's for this long: past the 15 s timeout with room to write the result. */
export const LEASE_MS = 60_000;

/** Messages attempted at once per round. */
const BATCH = 20;

/** Outbox events fanned out per statement batch, and batches per round. */
const FAN_OUT_BATCH = 200;
const FAN_OUT_ROUNDS = 10;

/** How often the expiry scan runs (by the injected clock). */
export const SCAN_INTERVAL_MS = 60_000;

/** Everything the dispatcher needs, passed in. */
export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  config: WebhookConfig;
  serverSecret: string | undefined;
  logger: FastifyBaseLogger;
  /** In [0, 1): the retries' jitter. */
  random?: () => number;
}

/**
 * Delivers webhooks off the request path: each round fans new outbox events out into messages,
 * raises due scheduled events, then claims due messages (a lease, so with several instances
 * each attempt is made by one) and sends them, signed, writing each outcome back. State lives
 * only in the store, so a restart (even kill -9) loses nothing: a lease held by a dead process
 * runs out and another round claims the message again (at least once).
 */
export class WebhookDispatcher {
  /** This process's lease holder name. */
  private readonly token = randomBytes(12).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private lastScan = -Infinity;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Polls every `config.pollMs` (0: never). */
  start(): void {
    if (this.deps.config.pollMs === 0 || this.timer) return;
    this.timer = setInterval(() => this.wake(), this.deps.config.pollMs);
    this.timer.unref();
  }

  /** Runs a round soon (or one more after the current), if polling. */
  wake(): void {
    if (!this.timer || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.runOnce().catch((err: unknown) => this.deps.logger.error({ err }, 'webhook dispatch failed'));
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round; answers how many attempts it made. Tests call it directly (with polling off). */
  runOnce(): Promise<number> {
    if (this.running) return this.running;
    const round = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
    this.running = round;
    return round;
  }

  private async round(): Promise<number> {
    const { store, clock } = this.deps;
    for (let i = 0; i < FAN_OUT_ROUNDS && (await store.fanOutWebhookEvents(FAN_OUT_BATCH, () => newId('msg'))) === FAN_OUT_BATCH; i++);
    if (clock.now() - this.lastScan >= SCAN_INTERVAL_MS) {
      this.lastScan = clock.now();
      if ((await scanExpiries(store, clock)) > 0) await store.fanOutWebhookEvents(FAN_OUT_BATCH, () => newId('msg'));
    }
    const now = clock.now();
    const claimed = await store.claimWebhookMessages(now, now + LEASE_MS, BATCH, this.token);
    await Promise.all(claimed.map((message) => this.attempt(message)));
    return claimed.length;
  }

  private async attempt(claimed: ClaimedMessage): Promise<void> {
    const { store, clock } = this.deps;
    const { message, endpoint } = claimed;
    if (!endpoint.enabled) {
      const result = {
        message: { ...message, status: 'failed' as const, lastError: 'the endpoint is disabled', nextAttemptAt: null },
        endpoint: { kind: 'unchanged' as const },
      };
      await store.finishWebhookAttempt(claimed, result, clock.now());
      return;
    }
    const outcome = await this.send(claimed);
    const now = clock.now();
    const result = attemptResult(message, outcome, now, (this.deps.random ?? Math.random)());
    if (!(await store.finishWebhookAttempt(claimed, result, now))) {
      this.deps.logger.warn({ message: message.id }, 'webhook lease lost before its outcome was written');
    }
  }

  /** Signs with every live secret of the endpoint (two during a rotation's overlap) and POSTs. */
  private async send({ message, endpoint }: ClaimedMessage): Promise<AttemptOutcome> {
    const { clock, serverSecret, config } = this.deps;
    const now = clock.now();
    const sealed = [endpoint.secret];
    if (endpoint.previousSecret !== null && endpoint.previousSecretUntil !== null && now < endpoint.previousSecretUntil) sealed.push(endpoint.previousSecret);
    const secrets = sealed.map((secret) => openWebhookSecret(secret, endpoint.id, serverSecret));
    if (secrets.some((secret) => secret === null)) return { statusCode: null, error: 'the endpoint secret cannot be opened with this server secret' };
    const headers = signedHeaders(secrets as string[], message.id, Math.floor(now / 1000), message.payload);
    return deliver({ url: endpoint.url, headers, body: message.payload, allowPrivate: config.allowPrivate });
  }
}
