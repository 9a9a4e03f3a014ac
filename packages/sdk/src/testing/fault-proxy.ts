import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request instead of passing it through. */
export type Fault =
  /** Answer this without asking the server. */
  | { respond: number; headers?: Record<string, string>; body?: string }
  /** Let the server do the work, then lose its answer and send this status instead. */
  | { forwardThen: number }
  /** Cut the connection (a network error), after the server did the work when `forward`. */
  | { reset: true; forward?: boolean }
  /** Pass it through after a pause. */
  | { delayMs: number }
  /** Pass it through and rewrite the JSON answer. */
  | { rewrite: (body: Record<string, unknown>) => Record<string, unknown> };

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A node:http proxy on 127.0.0.1 before a real server, injecting faults into chosen requests. */
export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  private readonly faults: Fault[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts a proxy to `target`. */
  static async start(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy?.handle(upstream, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** The next requests get these faults, one each, in order; later ones pass through. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
    const fault = this.faults.shift();
    if (fault && 'respond' in fault) {
      res.writeHead(fault.respond, { 'content-type': 'application/json', ...fault.headers }).end(fault.body ?? '');
      return;
    }
    if (fault && 'reset' in fault && !fault.forward) return void req.socket.destroy();
    if (fault && 'delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const answer = await forward(upstream, req, body);
    if (fault && 'reset' in fault) return void req.socket.destroy();
    if (fault && 'forwardThen' in fault) {
      res.writeHead(fault.forwardThen, { 'content-type': 'text/plain' }).end('lost');
      return;
    }
    let payload = answer.body;
    if (fault && 'rewrite' in fault) payload = Buffer.from(JSON.stringify(fault.rewrite(JSON.parse(payload.toString('utf8')))));
    const headers = { ...answer.headers, 'content-length': String(payload.length) };
    delete headers['transfer-encoding'];
    if (!res.destroyed) res.writeHead(answer.status, headers).end(payload);
  }
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}
