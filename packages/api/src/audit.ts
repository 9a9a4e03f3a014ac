import { Type, type Static } from '@sinclair/typebox';
import { AUDIT_ACTIONS } from './names.js';
import { ListOf, Nullable, Page, PageSize, Timestamp } from './common.js';

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AuditAction = Type.Union(
  AUDIT_ACTIONS.map((a) => Type.Literal(a)),
  { title: 'AuditAction' },
);

export const ActorType = Type.Union([Type.Literal('root_key'), Type.Literal('session'), Type.Literal('access_token'), Type.Literal('system')], {
  title: 'ActorType',
});
export type ActorType = Static<typeof ActorType>;

export const AuditEvent = Type.Object(
  {
    id: Type.String({ examples: ['evt_6Hj2k9sLq0Wm3Pz1Xa'] }),
    action: AuditAction,
    actor: Type.Object({ type: ActorType, id: Type.String() }),
    organization_id: Nullable(Type.String()),
    key_id: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    request_id: Nullable(Type.String()),
    before: Nullable(Type.Record(Type.String(), Type.Unknown())),
    after: Nullable(Type.Record(Type.String(), Type.Unknown())),
    created_at: Timestamp,
  },
  { title: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const ListAuditEventsQuery = Type.Object(
  {
    organization_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    key_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    action: Type.Optional(AuditAction),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    page: Type.Optional(Page),
    page_size: Type.Optional(PageSize),
  },
  { additionalProperties: false },
);
export type ListAuditEventsQuery = Static<typeof ListAuditEventsQuery>;

export const AuditEventList = ListOf(AuditEvent);
export type AuditEventList = Static<typeof AuditEventList>;
