/**
 * The contract's closed lists of names as plain arrays, in a module without TypeBox, so that a
 * browser bundle (the console) can import them alone. Their schemas are built from them.
 */

/** Every permission a root key can hold; `*` holds them all. */
export const PERMISSIONS = [
  'keys:read',
  'keys:write',
  'keys:verify',
  'sessions:write',
  'root_keys:read',
  'root_keys:write',
  'audit:read',
  'webhooks:read',
  'webhooks:write',
] as const;

/** Every event a webhook endpoint can subscribe to (API.md "Webhooks"). */
export const WEBHOOK_EVENTS = [
  'key.created',
  'key.updated',
  'key.rotated',
  'key.revoked',
  'key.deleted',
  'key.expiring',
  'key.expired',
  'key.leaked',
  'key.credits_low',
  'key.credits_exhausted',
  'root_key.created',
  'root_key.rotated',
  'root_key.deleted',
  'webhook.test',
] as const;

/** Every action the audit trail records (API.md "Audit log"). */
export const AUDIT_ACTIONS = [
  'key.created',
  'key.updated',
  'key.rotated',
  'key.revoked',
  'key.deleted',
  'key.leaked',
  'key.imported',
  'key.credits_changed',
  'organization.limits_changed',
  'root_key.created',
  'root_key.rotated',
  'root_key.deleted',
  'session.created',
  'session.revoked',
  'signing_key.rotated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
] as const;
