import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Serves `/openapi.json`, generated from the route schemas, and an interactive reference at `/docs`. */
export async function installOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keymint API',
        version: '0.1.0',
        description: 'Mint, verify, rotate and revoke API keys. Every `/v1` call takes `Authorization: Bearer <credential>`.',
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
        { name: 'root-keys', description: 'Management credentials' },
        { name: 'sessions', description: 'Delegated end-user sessions' },
        { name: 'audit', description: 'Audit trail' },
        { name: 'oauth', description: 'Client credentials: access tokens, introspection, discovery' },
        { name: 'signing-keys', description: 'Keys that sign access tokens' },
        { name: 'operations', description: 'Health, metrics and docs' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
}
