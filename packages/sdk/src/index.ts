/**
 * @keymint/sdk — the Keymint client. `Keymint` for methods that throw; `KeymintCore` with the
 * standalone functions (`keysCreate(core, …)`) for calls that answer a `Result` and tree-shake.
 */
export { Keymint } from './client.js';
export { KeymintCore, type ClientCredentialsAuth, type FetchLike, type KeymintOptions, type RequestOptions } from './core.js';
export * from './errors.js';
export type { RetryConfig, RetryOption } from './retry.js';
export type { Page } from './paging.js';
export type * from './types.js';
export type { Camelize } from './case.js';
export * from './funcs/keys.js';
export * from './funcs/key-bulk.js';
export * from './funcs/root-keys.js';
export * from './funcs/sessions.js';
export * from './funcs/tokens.js';
export * from './funcs/audit.js';
export * from './funcs/usage.js';
export * from './funcs/organizations.js';
export * from './funcs/signing-keys.js';
export * from './funcs/webhooks.js';
export { verifyWebhook, WebhookVerificationError, type WebhookEvent } from './verify-webhook.js';
export * from './funcs/leaks.js';
