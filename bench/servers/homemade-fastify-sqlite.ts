import Sqlite from 'better-sqlite3';
import Fastify from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The yardstick Keymint's verify is held against: what a competent team writes in an afternoon
 * instead of adopting a key service. Plain Fastify (no logger, as its default), a body and a
 * response schema, a bearer token compared in constant time, the key's SHA-256 looked up in the
 * same SQLite file Keymint serves (same 1,000 keys) with one prepared statement, and the key's
 * fields answered. No scopes, metrics, request ids, `last_used_at` or caches.
 * argv: port, SQLite file; `HOMEMADE_TOKEN`: the bearer token callers must send.
 */
const [port, file] = process.argv.slice(2);
const digest = (text: string) => createHash('sha256').update(text).digest();
const token = digest(`Bearer ${process.env.HOMEMADE_TOKEN ?? ''}`);

const db = new Sqlite(file);
const lookup = db.prepare<
  [string, number],
  {
    id: string;
    name: string;
    organization_id: string | null;
    scopes: string;
    metadata: string;
    enabled: number;
    expires_at: number | null;
    revoked_at: number | null;
  }
>(
  `select k.id, k.name, k.organization_id, k.scopes, k.metadata, k.enabled, k.expires_at, k.revoked_at
     from key_secrets s join api_keys k on k.id = s.key_id
    where s.digest = ? and (s.valid_until is null or s.valid_until > ?)`,
);

const app = Fastify();
app.post<{ Body: { key: string } }>(
  '/v1/keys/verify',
  {
    schema: {
      body: { type: 'object', required: ['key'], properties: { key: { type: 'string', minLength: 1, maxLength: 512 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            valid: { type: 'boolean' },
            key: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                organization_id: { type: ['string', 'null'] },
                scopes: { type: 'array', items: { type: 'string' } },
                metadata: { type: 'object', additionalProperties: true },
                expires_at: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
  },
  async (request, reply) => {
    const auth = digest(request.headers.authorization ?? '');
    if (!timingSafeEqual(auth, token)) return reply.code(401).send({ error: 'unauthorized' });
    const now = Date.now();
    const row = lookup.get(createHash('sha256').update(request.body.key).digest('hex'), now);
    if (!row || row.revoked_at !== null || !row.enabled || (row.expires_at !== null && row.expires_at <= now)) return { valid: false };
    return {
      valid: true,
      key: {
        id: row.id,
        name: row.name,
        organization_id: row.organization_id,
        scopes: JSON.parse(row.scopes) as string[],
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
        expires_at: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
      },
    };
  },
);
app.get('/', async () => ({ ready: true }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
