import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** A schema the contract names (`title` in `@keymint/api`), as opposed to any object holding a `title` field. */
const isNamedSchema = (node: Json): node is Json & { title: string } =>
  typeof node.title === 'string' && ('type' in node || 'anyOf' in node || 'properties' in node);

/** Examples move from a body's schema to its media object as the document is built: not part of what the type is. */
const withoutExamples = ({ examples: _examples, example: _example, ...schema }: Json) => schema;

/**
 * Emits every named schema once under `components.schemas` and references it wherever it is
 * used, so that client generators name their types after the contract's (`Key`, `Error`, …).
 * Only the document changes: titles are annotations, so validation and serialization, compiled
 * from the route schemas themselves, are untouched. Two different schemas under one name are a
 * bug in `@keymint/api`, refused when the document is first built.
 */
export function referenceNamedSchemas(document: Json): Json {
  const doc = structuredClone(document);
  const components = (doc.components ??= {}) as Json;
  const schemas = (components.schemas ??= {}) as Record<string, Json>;
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist);
    if (!isObject(node)) return node;
    for (const [key, value] of Object.entries(node)) {
      // Example values are data, whatever fields they hold.
      if (key !== 'example' && key !== 'examples') node[key] = hoist(value);
    }
    if (!isNamedSchema(node)) return node;
    const known = schemas[node.title];
    if (known && !isDeepStrictEqual(withoutExamples(known), withoutExamples(node))) {
      throw new Error(`Two different schemas are named ${node.title} in @keymint/api.`);
    }
    if (!known || (node.examples && !known.examples)) schemas[node.title] = node;
    return { $ref: `#/components/schemas/${node.title}` };
  };
  doc.paths = hoist(doc.paths);
  return doc;
}

/** Serves `/openapi.json`, generated from the route schemas, and an interactive reference at `/docs`. */
export async function installOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keymint API',
        version: '0.1.0',
        description: 'Mint, verify, rotate and revoke API keys. Every `/v1` call takes `Authorization: Bearer <credential>`, but the token endpoint.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A root key, session token or access token.' },
          basic: { type: 'http', scheme: 'basic', description: 'An API key id and secret (client_secret_basic), on the token endpoint.' },
        },
      },
      tags: [
        { name: 'keys', description: 'API keys' },
        { name: 'organizations', description: 'Rate limits and credit pools shared by the keys of an organization' },
        { name: 'root-keys', description: 'Management credentials' },
        { name: 'sessions', description: 'Delegated end-user sessions' },
        { name: 'audit', description: 'Audit trail' },
        { name: 'webhooks', description: 'Lifecycle event endpoints and their deliveries' },
        { name: 'oauth', description: 'Client credentials: access tokens, introspection, discovery' },
        { name: 'signing-keys', description: 'Keys that sign access tokens' },
        { name: 'leaks', description: 'Leaked secret reports: GitHub secret scanning, public reports, the scanner pattern' },
        { name: 'operations', description: 'Health, metrics and docs' },
      ],
    },
    transformObject: (documentObject) => referenceNamedSchemas((documentObject as { openapiObject: Json }).openapiObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
}
