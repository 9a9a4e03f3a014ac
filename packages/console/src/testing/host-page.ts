import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const FIXTURE = fileURLToPath(new URL('./embed/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A host application on its own origin: the embed fixture built with Vite, and a backend minting sessions. */
export interface HostPage {
  url: string;
  /** Webhook deliveries received (any POST but /session), oldest first; each answered 200. */
  hooks: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  close(): Promise<void>;
}

/** The Keymint server the host's backend calls; known only after the host page's own port is (for CORS). */
export interface HostBackend {
  apiUrl: string;
  rootKey: string;
}

/**
 * Builds the fixture and serves it on a free port. `GET /session?user=…&orgs=org:role,…` mints a
 * real session with the backend's root key; `&claim=org:role,…` tells the page other roles than the session
 * holds (a host page that gets it wrong), so the server's refusal is what the user sees.
 */
export async function startHostPage(backend: () => HostBackend): Promise<HostPage> {
  const outDir = mkdtempSync(join(tmpdir(), 'keymint-embed-'));
  await build({ root: FIXTURE, configFile: false, logLevel: 'warn', base: '/', build: { outDir, emptyOutDir: true, target: 'es2022' } });
  const roles = (text: string | null) =>
    (text ?? '')
      .split(',')
      .filter(Boolean)
      .map((entry) => ({ id: entry.split(':')[0], role: entry.split(':')[1] as 'admin' | 'member' }));
  const hooks: HostPage['hooks'] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://host');
    if (request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      hooks.push({ path: url.pathname, headers: request.headers, body });
      response.writeHead(200).end();
      return;
    }
    if (url.pathname === '/session') {
      const { apiUrl, rootKey } = backend();
      const userId = url.searchParams.get('user') ?? 'alice';
      const organizations = roles(url.searchParams.get('orgs'));
      const minted = await fetch(`${apiUrl}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: userId, organizations }),
      });
      const { token } = (await minted.json()) as { token: string };
      const claimed = url.searchParams.has('claim') ? roles(url.searchParams.get('claim')) : organizations;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiUrl, token, userId, organizations: claimed }));
      return;
    }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    try {
      const body = readFileSync(join(outDir, file.replaceAll('..', '')));
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('host page did not listen');
  return {
    url: `http://127.0.0.1:${address.port}`,
    hooks,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
