import { Type, type Static } from '@sinclair/typebox';
import { ExternalId, Nullable } from './common.js';
import { Credits, CreditsInput, RateLimit, RateLimitsInput } from './keys.js';

/** Path parameter `{id}` of `/v1/organizations/{id}/…`: the application's own organization id. */
export const OrganizationParams = Type.Object({ id: ExternalId }, { additionalProperties: false });
export type OrganizationParams = Static<typeof OrganizationParams>;

/** `PUT /v1/organizations/{id}/limits`: each field given replaces it (`credits: null` removes the pool); one left out stays. */
export const OrganizationLimitsBody = Type.Object(
  {
    rate_limits: Type.Optional(RateLimitsInput),
    credits: Type.Optional(Nullable(CreditsInput)),
  },
  {
    additionalProperties: false,
    examples: [
      { rate_limits: [{ name: 'default', limit: 1000, window_seconds: 60 }], credits: { remaining: 100000, refill: { amount: 100000, interval: 'monthly' } } },
    ],
  },
);
export type OrganizationLimitsBody = Static<typeof OrganizationLimitsBody>;

/** Limits and credit pool shared by every key of an organization. */
export const OrganizationLimits = Type.Object(
  {
    organization_id: Type.String(),
    rate_limits: Type.Array(RateLimit),
    credits: Nullable(Credits),
  },
  { title: 'OrganizationLimits', description: 'Limits every key of the organization is held to, and the credit pool they all spend from.' },
);
export type OrganizationLimits = Static<typeof OrganizationLimits>;
