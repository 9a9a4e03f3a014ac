import { Redis, type Result } from 'ioredis';
import type { Clock } from '../clock.js';
import { GroupCommit, type Settled } from '../store/group-commit.js';
import type { LimitCheck, RateLimiter } from './rate-limiter.js';
import type { WindowDecision } from './sliding-window.js';

/** Every counter's key starts with this. */
export const LIMITER_KEY_PREFIX = 'keymint:rl:';
/** How long one `apply` may wait on Redis before the request is limited in memory instead, ms. */
export const LIMITER_COMMAND_TIMEOUT_MS = 150;
/** How often an idle connection is checked (a silent network keeps a connection "ready"), ms. */
const PROBE_INTERVAL_MS = 1000;
/** The longest wait between reconnect attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * The `apply`s of one batch, in arrival order, atomic in Redis. KEYS: per apply, per check its
 * current then its previous fixed window's counter. ARGV: the number of applies, then per apply
 * its now (the app's clock, never Redis TIME) and number of checks, then per check window start,
 * window ms, limit, cost. The sliding count is `sliding-window.ts`'s, operation for operation
 * (Lua numbers are doubles, as JavaScript's): used = current + previous × (1 − (now − start) /
 * window). An apply with any check exceeded counts nothing; else every current counter grows by
 * its cost and lives two windows (it is the previous one during the next). Each apply sees the
 * counts of those before it, as if each had been its own script. Answers per apply, per check
 * {exceeded 0/1, remaining (whole, ≥ 0)}.
 */
const APPLY_SCRIPT = `
local results = {}
local k, a = 0, 2
for r = 1, tonumber(ARGV[1]) do
  local now, n = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local first = a + 2
  local answers = {}
  local refused = false
  for i = 1, n do
    local base = first + (i - 1) * 4
    local start, window, limit, cost = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
    local current = tonumber(redis.call('GET', KEYS[k + 2 * i - 1]) or '0')
    local previous = tonumber(redis.call('GET', KEYS[k + 2 * i]) or '0')
    local used = current + previous * (1 - (now - start) / window)
    local exceeded = used + cost > limit
    local left = limit - used
    if not exceeded then left = left - cost end
    if exceeded then refused = true end
    answers[i] = { exceeded and 1 or 0, math.max(0, math.floor(left)) }
  end
  if not refused then
    for i = 1, n do
      local base = first + (i - 1) * 4
      local cost = tonumber(ARGV[base + 3])
      if cost > 0 then
        redis.call('INCRBY', KEYS[k + 2 * i - 1], cost)
        redis.call('PEXPIRE', KEYS[k + 2 * i - 1], 2 * tonumber(ARGV[base + 1]))
      end
    end
  end
  results[r] = answers
  k = k + 2 * n
  a = first + 4 * n
end
return results
`;

/** One `apply` waiting for its batch: the checks, with the time and window starts it was asked at. */
interface PendingApply {
  now: number;
  checks: readonly LimitCheck[];
  starts: number[];
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    keymintRateLimit(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Result<[number, number][][], Context>;
  }
}

/** What the limiter logs: its state changes (once per outage, once per recovery), never per request. */
export interface LimiterLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Options of the Redis limiter. */
export interface RedisRateLimiterOptions {
  url: string;
  clock: Clock;
  logger: LimiterLogger;
  /** Limits a request while Redis does not answer (per instance, then). */
  fallback: RateLimiter;
  commandTimeoutMs?: number;
}

/**
 * Rate limits shared by every instance: the `apply`s of one event-loop turn (and those arriving
 * while a batch is out) go to Redis as one Lua script, one command for all of them; each apply's
 * all-or-none decision is atomic across instances and exact while Redis answers. When Redis
 * is unreachable or slower than the command timeout the request is limited by `fallback` (each
 * instance on its own: with N instances up to N× a limit), verify never waits longer than that
 * timeout, and a connection that timed out is dropped so that the next requests go straight to
 * the fallback until ioredis has reconnected. A ping every second finds a silent network while
 * no limited request arrives.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private failed = false;
  /** The state last logged; starts healthy so that an unreachable Redis at start is logged too. */
  private wasHealthy = true;
  private closing = false;
  private readonly probe: NodeJS.Timeout;
  private readonly batches = new GroupCommit<PendingApply, WindowDecision[]>((applies) => this.run(applies));

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? LIMITER_COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    });
    this.redis.defineCommand('keymintRateLimit', { lua: APPLY_SCRIPT });
    // Without a listener an error event would crash the process; the state change is what matters.
    this.redis.on('error', () => this.update());
    this.redis.on('close', () => this.update());
    this.redis.on('ready', () => {
      this.failed = false;
      this.update();
    });
    // So that /readyz tells a silent Redis even when no limited verify arrives.
    this.probe = setInterval(() => {
      if (this.healthy()) this.redis.ping().catch((err: unknown) => this.lost(err));
    }, PROBE_INTERVAL_MS).unref();
  }

  /** True while counts are shared: connected, and no command failed since. */
  healthy(): boolean {
    return this.redis.status === 'ready' && !this.failed;
  }

  async apply(checks: readonly LimitCheck[]): Promise<WindowDecision[]> {
    const now = this.options.clock.now();
    if (!this.healthy()) return this.options.fallback.apply(checks);
    const starts = checks.map((check) => Math.floor(now / check.windowMs) * check.windowMs);
    try {
      return await this.batches.submit({ now, checks, starts });
    } catch (err) {
      this.lost(err);
      return this.options.fallback.apply(checks);
    }
  }

  /** One batch of applies in one script; a failure fails them all (each then limits in memory). */
  private async run(applies: PendingApply[]): Promise<Settled<WindowDecision[]>[]> {
    const keys: string[] = [];
    const args: number[] = [applies.length];
    for (const { now, checks, starts } of applies) {
      args.push(now, checks.length);
      checks.forEach((check, i) => {
        keys.push(counterKey(check, starts[i]), counterKey(check, starts[i] - check.windowMs));
        args.push(starts[i], check.windowMs, check.limit, check.cost);
      });
    }
    const answers = await this.redis.keymintRateLimit(keys.length, ...keys, ...args);
    return answers.map((decided, r) => {
      const { checks, starts } = applies[r];
      return { value: decided.map(([exceeded, remaining], i) => ({ exceeded: exceeded === 1, remaining, resetAt: starts[i] + checks[i].windowMs })) };
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.probe);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** A failed or timed-out command: a connection that looks ready but does not answer is started over. */
  private lost(err: unknown): void {
    this.failed = true;
    if (this.redis.status === 'ready' && !this.closing) this.redis.disconnect(true);
    this.update((err as Error).message);
  }

  private update(reason?: string): void {
    const healthy = this.healthy();
    if (healthy === this.wasHealthy || this.closing) return;
    this.wasHealthy = healthy;
    if (healthy) this.options.logger.info({}, 'rate limits shared through Redis again');
    else this.options.logger.warn({ reason }, 'rate limits: Redis unreachable, limiting per instance until it answers');
  }
}

/** The Redis key of one limit's fixed window starting at `start`. */
const counterKey = (check: LimitCheck, start: number) => `${LIMITER_KEY_PREFIX}${check.bucket}:${start}`;
