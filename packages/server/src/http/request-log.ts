import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request log lines ("incoming request", "request completed") at `debug` instead
 * of `info`. At the default level they were two JSON lines per verify call and the largest cost
 * of the hot path after the socket itself (see bench/RESULTS.md); failures still reach the log:
 * a request that errors is logged at `error` here, and the error handler logs every 5xx.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
