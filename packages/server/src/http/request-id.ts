import type { FastifyInstance } from 'fastify';
import { newId } from '../ids.js';

/** The id of one request (`x-request-id`, `request_id` in error bodies, `reqId` in logs): both adapters make it here. */
export const newRequestId = () => newId('req');

/** Sends every Fastify answer's request id; the fast lane writes the same header itself. */
export function installRequestId(app: FastifyInstance): void {
  // Callback style: an async hook costs a promise per request on every route.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}
