/**
 * @keymint/api — the HTTP contract as TypeBox schemas. One declaration per field validates
 * requests on the server, documents OpenAPI and types the SDK.
 */
export * from './names.js';
export * from './common.js';
export * from './errors.js';
export * from './keys.js';
export * from './leaks.js';
export * from './organizations.js';
export * from './root-keys.js';
export * from './sessions.js';
export * from './audit.js';
export * from './webhooks.js';
export * from './usage.js';
export * from './oauth.js';
export * from './oauth-errors.js';
export * from './key-import.js';
