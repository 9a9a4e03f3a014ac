import { createServer } from 'node:http';

/** The ceiling: the cheapest JSON answer `node:http` can give, on the port in argv[2]. */
const body = JSON.stringify({ hello: 'world' });
createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1');
