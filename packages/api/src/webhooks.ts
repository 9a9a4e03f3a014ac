import { Type, type Static } from '@sinclair/typebox';
import { WEBHOOK_EVENTS } from './names.js';
import { ListOf, Nullable, Page, PageSize, Timestamp } from './common.js';

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
export const WebhookEventType = Type.Union(
  WEBHOOK_EVENTS.map((e) => Type.Literal(e)),
  { title: 'WebhookEventType' },
);

/** An event type, or `*` for all of them. */
const Subscription = Type.Union([WebhookEventType, Type.Literal('*')]);
const Events = Type.Array(Subscription, { minItems: 1, maxItems: WEBHOOK_EVENTS.length + 1, uniqueItems: true });
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https:// (http:// only where the server allows it); no private addresses.' });
const Description = Type.String({ maxLength: 256 });

export const WebhookEndpoint = Type.Object(
  {
    id: Type.String({ examples: ['wh_6Hj2k9sLq0Wm3Pz1Xa'] }),
    url: Type.String(),
    events: Type.Array(Subscription),
    description: Nullable(Type.String()),
    enabled: Type.Boolean(),
    disabled_reason: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'WebhookEndpoint' },
);
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** The endpoint's signing secret, shown once (at create and rotation). */
const Secret = Type.String({ description: '`whsec_` + base64 of 32 random bytes; shown once.', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });

export const WebhookEndpointWithSecret = Type.Composite([WebhookEndpoint, Type.Object({ secret: Secret })], { title: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const WebhookSecret = Type.Object({ secret: Secret }, { title: 'WebhookSecret' });
export type WebhookSecret = Static<typeof WebhookSecret>;

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Nullable(Description)), enabled: Type.Optional(Type.Boolean()) },
  // A documentation address (RFC 5737): the example is accepted without a DNS lookup.
  {
    additionalProperties: false,
    examples: [{ url: 'https://203.0.113.10/webhooks/keymint', events: ['key.revoked', 'key.leaked'], description: 'Security alerts' }],
  },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Nullable(Description)), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, examples: [{ events: ['*'], enabled: true }] },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const ListWebhooksQuery = Type.Object({ page: Type.Optional(Page), page_size: Type.Optional(PageSize) }, { additionalProperties: false });
export type ListWebhooksQuery = Static<typeof ListWebhooksQuery>;

export const WebhookEndpointList = ListOf(WebhookEndpoint);
export type WebhookEndpointList = Static<typeof WebhookEndpointList>;

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')], { title: 'DeliveryStatus' });
export type DeliveryStatus = Static<typeof DeliveryStatus>;

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ examples: ['msg_6Hj2k9sLq0Wm3Pz1Xa'] }),
    type: WebhookEventType,
    status: DeliveryStatus,
    attempts: Type.Integer({ minimum: 0 }),
    last_status_code: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    next_attempt_at: Nullable(Timestamp),
    created_at: Timestamp,
  },
  { title: 'WebhookDelivery' },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryList = ListOf(WebhookDelivery);
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>;

export const ListDeliveriesQuery = Type.Object(
  { status: Type.Optional(DeliveryStatus), page: Type.Optional(Page), page_size: Type.Optional(PageSize) },
  { additionalProperties: false },
);
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;

export const DeliveryParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }), msg_id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type DeliveryParams = Static<typeof DeliveryParams>;

/** The body of every delivery. */
export const WebhookPayload = Type.Object(
  { type: WebhookEventType, timestamp: Timestamp, data: Type.Record(Type.String(), Type.Unknown()) },
  { title: 'WebhookPayload' },
);
export type WebhookPayload = Static<typeof WebhookPayload>;
