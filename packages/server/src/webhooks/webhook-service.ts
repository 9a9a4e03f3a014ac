import type {
  CreateWebhookBody,
  ListDeliveriesQuery,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookSecret,
} from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { iso, type Clock } from '../clock.js';
import type { WebhookConfig } from '../config.js';
import { invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Store, WebhookRecord } from '../store/store.js';
import { pendingMessage } from '../store/webhook-sql.js';
import { urlProblem } from './address-guard.js';
import { changedWebhookFields, presentDelivery, presentWebhook } from './present.js';
import { newWebhookSecret, sealWebhookSecret } from './signature.js';

/** After a rotation the replaced secret keeps signing (a second `v1,` entry) this long. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/** Everything the webhook service needs, passed in. */
export interface WebhookServiceDeps {
  store: Store;
  clock: Clock;
  config: WebhookConfig;
  serverSecret: string | undefined;
  /** Tells this instance's dispatcher there is work now (a test event, a manual retry). */
  wake: () => void;
}

/** `["*"]` stands for every event: a list holding it means just that. */
const normalEvents = (events: readonly string[]) => (events.includes('*') ? ['*'] : [...events]);

/** Webhook endpoints: the rules between their routes and the store. Never sees a request. */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async create(actor: Actor, body: CreateWebhookBody): Promise<WebhookEndpointWithSecret> {
    await this.assertUrl(body.url);
    const now = this.deps.clock.now();
    const id = newId('wh');
    const secret = newWebhookSecret();
    const record: WebhookRecord = {
      id,
      url: body.url,
      events: normalEvents(body.events),
      description: body.description ?? null,
      enabled: body.enabled ?? true,
      disabledReason: null,
      secret: sealWebhookSecret(secret, id, this.deps.serverSecret),
      previousSecret: null,
      previousSecretUntil: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    const view = presentWebhook(record);
    await this.deps.store.insertWebhook(record, auditEvent(actor, 'webhook.created', {}, { after: view }, now));
    return { ...view, secret };
  }

  async list(page: number, pageSize: number): Promise<WebhookEndpointList> {
    const { webhooks, total } = await this.deps.store.listWebhooks((page - 1) * pageSize, pageSize);
    return { data: webhooks.map(presentWebhook), total_count: total, page, page_size: pageSize };
  }

  async get(id: string): Promise<WebhookEndpoint> {
    return presentWebhook(await this.find(id));
  }

  async update(actor: Actor, id: string, body: UpdateWebhookBody): Promise<WebhookEndpoint> {
    if (body.url !== undefined) await this.assertUrl(body.url);
    const now = this.deps.clock.now();
    const changed = await this.deps.store.changeWebhook(id, (current) => {
      const enabling = body.enabled === true && !current.enabled;
      const next: WebhookRecord = {
        ...current,
        url: body.url ?? current.url,
        events: body.events ? normalEvents(body.events) : current.events,
        description: body.description === undefined ? current.description : body.description,
        enabled: body.enabled ?? current.enabled,
        // Enabled again by hand: the endpoint starts afresh.
        disabledReason: enabling ? null : current.disabledReason,
        failingSince: enabling ? null : current.failingSince,
        updatedAt: now,
      };
      const diff = changedWebhookFields(presentWebhook(current), presentWebhook(next));
      return { webhook: next, audit: auditEvent(actor, 'webhook.updated', {}, diff, now) };
    });
    if (!changed) throw notFound('Webhook');
    return presentWebhook(changed);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const now = this.deps.clock.now();
    const deleted = await this.deps.store.deleteWebhook(id, (current) => auditEvent(actor, 'webhook.deleted', {}, { before: presentWebhook(current) }, now));
    if (!deleted) throw notFound('Webhook');
  }

  /** A new secret; the replaced one keeps signing beside it for `SECRET_OVERLAP_MS`. */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookSecret> {
    const now = this.deps.clock.now();
    const secret = newWebhookSecret();
    const rotated = await this.deps.store.changeWebhook(id, (current) => {
      const next = {
        ...current,
        secret: sealWebhookSecret(secret, id, this.deps.serverSecret),
        previousSecret: current.secret,
        previousSecretUntil: now + SECRET_OVERLAP_MS,
        updatedAt: now,
      };
      const after = { secret_rotated_at: iso(now), previous_secret_valid_until: iso(next.previousSecretUntil) };
      return { webhook: next, audit: auditEvent(actor, 'webhook.updated', {}, { after }, now) };
    });
    if (!rotated) throw notFound('Webhook');
    return { secret };
  }

  /** Queues a `webhook.test` event for this endpoint alone. */
  async test(id: string): Promise<WebhookDelivery> {
    const endpoint = await this.find(id);
    const now = this.deps.clock.now();
    const payload = JSON.stringify({ type: 'webhook.test', timestamp: iso(now), data: { webhook_id: endpoint.id } });
    const message = pendingMessage(newId('msg'), endpoint.id, 'webhook.test', payload, now);
    await this.deps.store.insertWebhookMessage(message);
    this.deps.wake();
    return presentDelivery(message);
  }

  async deliveries(id: string, query: ListDeliveriesQuery): Promise<WebhookDeliveryList> {
    await this.find(id);
    const page = query.page ?? 1;
    const pageSize = query.page_size ?? 10;
    const { messages, total } = await this.deps.store.listWebhookMessages(id, query.status, (page - 1) * pageSize, pageSize);
    return { data: messages.map(presentDelivery), total_count: total, page, page_size: pageSize };
  }

  /** Makes a message due now, whatever became of it. */
  async retry(id: string, messageId: string): Promise<WebhookDelivery> {
    const message = await this.deps.store.retryWebhookMessage(id, messageId, this.deps.clock.now());
    if (!message) throw notFound('Delivery');
    this.deps.wake();
    return presentDelivery(message);
  }

  private async find(id: string): Promise<WebhookRecord> {
    const endpoint = await this.deps.store.getWebhook(id);
    if (!endpoint) throw notFound('Webhook');
    return endpoint;
  }

  private async assertUrl(url: string): Promise<void> {
    const problem = await urlProblem(url, this.deps.config);
    if (problem !== null) throw invalid('url', problem);
  }
}
