import {
  CreateWebhookBody,
  DeliveryParams,
  IdParams,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookSecret,
} from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { defineEndpoint, requestActor } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';

// Root keys only (no `delegated`): endpoints are the whole server's, not an end user's.
const common = { tags: ['webhooks'], errors: 'contract' as const };
const write = { permission: 'webhooks:write' as const };
const read = { permission: 'webhooks:read' as const };
const noStore = { 'cache-control': 'no-store' };

/** `POST /v1/webhooks`: a new endpoint and its signing secret, shown once. */
export const createWebhook = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/webhooks',
    operationId: 'createWebhook',
    summary: 'Create a webhook endpoint',
    description: 'Registers an endpoint for lifecycle events and answers its signing secret once.',
    access: write,
    schema: { body: CreateWebhookBody, response: { 201: WebhookEndpointWithSecret, ...errorResponses } },
    status: 201,
    headers: noStore,
    handler: (call) => webhooks.create(requestActor(call), call.body),
  });

/** `GET /v1/webhooks`. */
export const listWebhooks = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    summary: 'List webhook endpoints',
    description: 'Lists the webhook endpoints, newest first, without their secrets.',
    access: read,
    schema: { querystring: ListWebhooksQuery, response: { 200: WebhookEndpointList, ...errorResponses } },
    handler: (call) => webhooks.list(call.query.page ?? 1, call.query.page_size ?? 10),
  });

/** `GET /v1/webhooks/{id}`. */
export const getWebhook = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/webhooks/:id',
    operationId: 'getWebhook',
    summary: 'Get a webhook endpoint',
    description: 'Answers one webhook endpoint, without its secret.',
    access: read,
    schema: { params: IdParams, response: { 200: WebhookEndpoint, ...errorResponses } },
    handler: (call) => webhooks.get(call.params.id),
  });

/** `PATCH /v1/webhooks/{id}`: enabling a disabled endpoint clears its `disabled_reason`. */
export const updateWebhook = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'PATCH',
    path: '/v1/webhooks/:id',
    operationId: 'updateWebhook',
    summary: 'Update a webhook endpoint',
    description: 'Changes the URL, events, description or enabled state; enabling a disabled endpoint clears its disabled_reason.',
    access: write,
    schema: { params: IdParams, body: UpdateWebhookBody, response: { 200: WebhookEndpoint, ...errorResponses } },
    handler: (call) => webhooks.update(requestActor(call), call.params.id, call.body),
  });

/** `DELETE /v1/webhooks/{id}`. */
export const deleteWebhook = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'DELETE',
    path: '/v1/webhooks/:id',
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook endpoint',
    description: 'Deletes the endpoint and its pending deliveries.',
    access: write,
    schema: { params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    status: 204,
    async handler(call) {
      await webhooks.delete(requestActor(call), call.params.id);
      return null;
    },
  });

/** `POST /v1/webhooks/{id}/rotate-secret`: for 24 h both secrets sign. */
export const rotateWebhookSecret = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/webhooks/:id/rotate-secret',
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate a webhook secret',
    description: 'Answers a new signing secret once; for 24 hours deliveries carry a signature under each secret.',
    access: write,
    schema: { params: IdParams, response: { 200: WebhookSecret, ...errorResponses } },
    headers: noStore,
    handler: (call) => webhooks.rotateSecret(requestActor(call), call.params.id),
  });

/** `POST /v1/webhooks/{id}/test`: queues a `webhook.test` event. */
export const testWebhook = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/webhooks/:id/test',
    operationId: 'testWebhook',
    summary: 'Send a test event',
    description: 'Queues a webhook.test event for this endpoint and answers its delivery (sent by the dispatcher, off this request).',
    access: write,
    schema: { params: IdParams, response: { 202: WebhookDelivery, ...errorResponses } },
    status: 202,
    handler: (call) => webhooks.test(call.params.id),
  });

/** `GET /v1/webhooks/{id}/deliveries`. */
export const listWebhookDeliveries = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/webhooks/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'List deliveries',
    description: 'Lists the messages sent (or to be sent) to this endpoint, newest first.',
    access: read,
    schema: { params: IdParams, querystring: ListDeliveriesQuery, response: { 200: WebhookDeliveryList, ...errorResponses } },
    handler: (call) => webhooks.deliveries(call.params.id, call.query),
  });

/** `POST /v1/webhooks/{id}/deliveries/{msg_id}/retry`. */
export const retryWebhookDelivery = ({ webhooks }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/webhooks/:id/deliveries/:msg_id/retry',
    operationId: 'retryWebhookDelivery',
    summary: 'Retry a delivery',
    description: 'Makes the message due now, whatever its status, with the same webhook-id.',
    access: write,
    schema: { params: DeliveryParams, response: { 202: WebhookDelivery, ...errorResponses } },
    status: 202,
    handler: (call) => webhooks.retry(call.params.id, call.params.msg_id),
  });

/** Every webhook endpoint, in the order of the table. */
export const webhookEndpoints = (s: Services) => [
  createWebhook(s),
  listWebhooks(s),
  getWebhook(s),
  updateWebhook(s),
  deleteWebhook(s),
  rotateWebhookSecret(s),
  testWebhook(s),
  listWebhookDeliveries(s),
  retryWebhookDelivery(s),
];
