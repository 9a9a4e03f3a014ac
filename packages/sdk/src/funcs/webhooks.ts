import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type {
  CreateWebhookParams,
  ListWebhookDeliveriesParams,
  ListWebhooksParams,
  UpdateWebhookParams,
  WebhookDeliveryInfo,
  WebhookDeliveryPage,
  WebhookInfo,
  WebhookPage,
  WebhookSecretInfo,
  WebhookWithSecretInfo,
} from '../types.js';

const webhookPath = (id: string, action = '') => `/v1/webhooks/${encodeURIComponent(id)}${action}`;

/** Registers an endpoint (its signing secret in this answer only). Retried only on 429. */
export const webhooksCreate = (core: KeymintCore, params: CreateWebhookParams, options?: RequestOptions): Promise<Result<WebhookWithSecretInfo>> =>
  send(core, { method: 'POST', path: '/v1/webhooks', body: params, retry: 'refused' }, options);

/** One page of endpoints. */
export const webhooksList = (core: KeymintCore, params: ListWebhooksParams = {}, options?: RequestOptions): Promise<Result<WebhookPage>> =>
  send(core, { method: 'GET', path: '/v1/webhooks', query: params, retry: 'safe' }, options);

/** One endpoint. */
export const webhooksGet = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<WebhookInfo>> =>
  send(core, { method: 'GET', path: webhookPath(id), retry: 'safe' }, options);

/** Changes an endpoint; enabling a disabled one clears its `disabledReason`. */
export const webhooksUpdate = (core: KeymintCore, id: string, params: UpdateWebhookParams, options?: RequestOptions): Promise<Result<WebhookInfo>> =>
  send(core, { method: 'PATCH', path: webhookPath(id), body: params, retry: 'safe' }, options);

/** Deletes an endpoint and its pending deliveries. */
export const webhooksDelete = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<void>> =>
  send(core, { method: 'DELETE', path: webhookPath(id), retry: 'safe' }, options);

/** A new signing secret; for 24 h the old one signs too. Retried only on 429. */
export const webhooksRotateSecret = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<WebhookSecretInfo>> =>
  send(core, { method: 'POST', path: webhookPath(id, '/rotate-secret'), retry: 'refused' }, options);

/** Queues a `webhook.test` event for the endpoint. */
export const webhooksTest = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<WebhookDeliveryInfo>> =>
  send(core, { method: 'POST', path: webhookPath(id, '/test'), retry: 'refused' }, options);

/** One page of the endpoint's deliveries. */
export const webhooksDeliveries = (
  core: KeymintCore,
  id: string,
  params: ListWebhookDeliveriesParams = {},
  options?: RequestOptions,
): Promise<Result<WebhookDeliveryPage>> => send(core, { method: 'GET', path: webhookPath(id, '/deliveries'), query: params, retry: 'safe' }, options);

/** Makes a delivery due now again (same `webhook-id`). */
export const webhooksRetryDelivery = (core: KeymintCore, id: string, messageId: string, options?: RequestOptions): Promise<Result<WebhookDeliveryInfo>> =>
  send(core, { method: 'POST', path: webhookPath(id, `/deliveries/${encodeURIComponent(messageId)}/retry`), retry: 'safe' }, options);
