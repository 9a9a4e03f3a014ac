import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that answers each request by `answer` (default 200). */
export interface Receiver {
  url: string;
  received: Received[];
  /** How the next requests are answered: a status, or a function writing the response. */
  answer: number | ((response: ServerResponse, index: number) => void);
  close(): Promise<void>;
}

/** Starts a receiver; `failFirst` requests get 500 before `answer` applies. */
export async function startReceiver(failFirst = 0): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], answer: 200, close: async () => {} };
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const index = receiver.received.push({ headers: request.headers, body }) - 1;
      if (index < failFirst) return void response.writeHead(500).end('not yet');
      if (typeof receiver.answer === 'number') return void response.writeHead(receiver.answer).end('ok');
      receiver.answer(response, index);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}
