import { Type, type Static } from '@sinclair/typebox';
import { ExternalId, Timestamp } from './common.js';

export const OrganizationRole = Type.Union([Type.Literal('admin'), Type.Literal('member')], { title: 'OrganizationRole' });
export type OrganizationRole = Static<typeof OrganizationRole>;

export const CreateSessionBody = Type.Object(
  {
    user_id: ExternalId,
    organizations: Type.Optional(
      Type.Array(Type.Object({ id: ExternalId, role: OrganizationRole }, { additionalProperties: false }), {
        maxItems: 100,
      }),
    ),
    expires_in_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, default: 3600 })),
  },
  { additionalProperties: false, examples: [{ user_id: 'user_42', organizations: [{ id: 'org_acme', role: 'admin' }], expires_in_seconds: 3600 }] },
);
export type CreateSessionBody = Static<typeof CreateSessionBody>;

export const Session = Type.Object(
  {
    id: Type.String({ examples: ['ses_4Fh8d2LmQ0Zs7Kc1Wp'] }),
    token: Type.String({ description: 'The session token: shown in this answer only.' }),
    expires_at: Timestamp,
  },
  { title: 'Session' },
);
export type Session = Static<typeof Session>;

/** `POST /v1/sessions/revoke`: ends every session of one end user. */
export const RevokeSessionsBody = Type.Object({ user_id: ExternalId }, { additionalProperties: false, examples: [{ user_id: 'user_42' }] });
export type RevokeSessionsBody = Static<typeof RevokeSessionsBody>;

/** How many sessions a revoke ended. */
export const RevokedSessions = Type.Object({ revoked: Type.Integer({ minimum: 0 }) }, { title: 'RevokedSessions' });
export type RevokedSessions = Static<typeof RevokedSessions>;
