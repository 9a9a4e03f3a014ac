import Sqlite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * The floor under any verify on `node:http`: the least a POST verify can do, to tell how much of
 * the distance to bare node:http (a GET with no body) is the POST itself and how much is Keymint.
 * It reads the body, `JSON.parse`s it, compares the bearer token as a plain string, takes the
 * key's SHA-256 and answers a JSON text made at start for each key (a Map by digest of the same
 * SQLite file). No validation, limits, caches to keep fresh, metrics, request ids or logs: not a
 * service anyone should run, a yardstick. argv: port, SQLite file; `HOMEMADE_TOKEN`: the token.
 */
const [port, file] = process.argv.slice(2);
const token = `Bearer ${process.env.HOMEMADE_TOKEN ?? ''}`;
const db = new Sqlite(file, { readonly: true });
const answers = new Map<string, string>();
const rows = db.prepare('select s.digest, k.id, k.name from key_secrets s join api_keys k on k.id = s.key_id').all() as {
  digest: string;
  id: string;
  name: string;
}[];
for (const row of rows) answers.set(row.digest, JSON.stringify({ valid: true, code: 'VALID', key: { id: row.id, name: row.name } }));
db.close();
const notFound = JSON.stringify({ valid: false, code: 'NOT_FOUND' });
const headers = (body: string) => ({ 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });

createServer((request, response) => {
  if (request.method === 'GET') return void response.writeHead(200, headers('{}')).end('{}');
  if (request.headers.authorization !== token) return void response.writeHead(401).end();
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const { key } = JSON.parse(Buffer.concat(chunks).toString()) as { key: string };
    const body = answers.get(createHash('sha256').update(key).digest('hex')) ?? notFound;
    response.writeHead(200, headers(body)).end(body);
  });
}).listen(Number(port), '127.0.0.1');
// A clean exit on SIGTERM, so `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
