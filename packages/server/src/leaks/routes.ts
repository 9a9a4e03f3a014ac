import { GITHUB_LEAK_BATCH_MAX, GithubLeakAnswer, GithubLeakBody, LeakPattern, LeakReceipt, LeakReportBody } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import type { onRequestHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { digestSecret } from '../credentials/digest.js';
import { rateLimited, unauthorized } from '../errors.js';
import { Answer, defineEndpoint, type Call } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';
import type { LeakReporter } from './leak-service.js';
import { leakPattern } from './pattern.js';

const IDENTIFIER = 'github-public-key-identifier';
const SIGNATURE = 'github-public-key-signature';

/** GitHub's batches: up to 1,000 matches of a bounded size each (see `GithubLeakMatch`). */
const GITHUB_BODY_LIMIT = 4 * 1024 * 1024;

/** The signature headers, documented; optional in the schema since their absence is a 401, decided before validation. */
const GithubHeaders = Type.Object({
  [IDENTIFIER]: Type.Optional(Type.String({ maxLength: 256, description: 'Which of GitHub’s published keys signed the body.' })),
  [SIGNATURE]: Type.Optional(Type.String({ maxLength: 1024, description: 'Base64 DER ECDSA P-256 SHA-256 signature of the raw body.' })),
});

const one = (value: string | string[] | undefined) => (typeof value === 'string' && value !== '' ? value : undefined);
const signatureRefused = () => unauthorized('Missing or invalid GitHub signature.');

const reporterOf = (call: Pick<Call, 'ip' | 'headers' | 'id'>, channel: LeakReporter['channel']): LeakReporter => ({
  channel,
  ip: call.ip ?? null,
  userAgent: call.headers['user-agent'] ?? null,
  requestId: call.id,
});

/** Refuses a request without both signature headers before its body is read. */
const signatureHeadersPresent: onRequestHookHandler = (request, _reply, done) =>
  done(one(request.headers[IDENTIFIER]) && one(request.headers[SIGNATURE]) ? undefined : signatureRefused());

/**
 * `POST /v1/leaks/github`: GitHub's secret scanning partner endpoint. The body is checked as
 * raw bytes against GitHub's signature before it is parsed; every match is handled as a leak
 * and labelled.
 */
export const reportGithubLeaks = ({ leaks }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/leaks/github',
    operationId: 'reportGithubLeaks',
    summary: 'GitHub secret scanning report',
    description: `The endpoint registered with GitHub's secret scanning partner program. The raw body must be signed (ECDSA P-256 SHA-256) by one of GitHub's published keys, named in \`Github-Public-Key-Identifier\`, the signature in \`Github-Public-Key-Signature\`; otherwise 401. Up to ${GITHUB_LEAK_BATCH_MAX} matches; each secret of this server is handled as a leak and labelled \`true_positive\`.`,
    tags: ['leaks'],
    access: 'public',
    errors: 'contract',
    bodyLimit: GITHUB_BODY_LIMIT,
    onRequest: signatureHeadersPresent,
    checkRawBody: async (raw: Buffer, headers: IncomingHttpHeaders) => {
      const identifier = one(headers[IDENTIFIER]);
      const signature = one(headers[SIGNATURE]);
      if (!identifier || !signature || !(await leaks.githubKeys.verify(identifier, signature, raw))) throw signatureRefused();
    },
    schema: { headers: GithubHeaders, body: GithubLeakBody, response: { 200: GithubLeakAnswer, ...errorResponses } },
    handler: async (call) => {
      const matches = call.body;
      const found = await leaks.handler.handle(
        matches.map((match) => ({ secret: match.token, sourceUrl: match.url ?? null })),
        reporterOf(call, 'github'),
      );
      return matches.map((match, i) => ({
        token_hash: digestSecret(match.token),
        token_type: match.type,
        label: found[i] ? ('true_positive' as const) : ('false_positive' as const),
      }));
    },
  });

/** Counts every public report against its IP, refusing past the limit before the body is read. */
const throttledPerIp =
  ({ leaks }: Services): onRequestHookHandler =>
  (request, _reply, done) => {
    const waitMs = leaks.reportThrottle.retryAfterMs(request.ip);
    if (waitMs > 0) return done(rateLimited('Too many leak reports from this address; try again later.', waitMs));
    leaks.reportThrottle.fail(request.ip);
    done();
  };

/** `POST /v1/leaks/report`: anyone who finds a secret can kill it; the answer is the same whatever was found. */
export const reportLeaks = (services: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/leaks/report',
    operationId: 'reportLeaks',
    summary: 'Report leaked secrets',
    description:
      'Public, limited per IP: each reported secret of this server is handled as a leak (revoked, or only marked when the server is set to notify). Answers 202 with the count received, whatever was found, so it reveals nothing about which keys exist.',
    tags: ['leaks'],
    access: 'public',
    errors: 'contract',
    onRequest: throttledPerIp(services),
    schema: { body: LeakReportBody, response: { 202: LeakReceipt, ...errorResponses } },
    handler: async (call) => {
      const sourceUrl = call.body.source_url ?? null;
      await services.leaks.handler.handle(
        call.body.keys.map((secret) => ({ secret, sourceUrl })),
        reporterOf(call, 'public'),
      );
      return new Answer(202, { received: call.body.keys.length });
    },
  });

/** `GET /v1/leaks/pattern`: the regular expression to register with scanners, for every prefix in use. */
export const getLeakPattern = ({ leaks }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/leaks/pattern',
    operationId: 'getLeakPattern',
    summary: 'Secret pattern for scanners',
    description: "The regular expression matching this server's secrets, for every key prefix in use (and the default `km`), to register with secret scanners.",
    tags: ['leaks'],
    access: { permission: 'keys:read' },
    errors: 'contract',
    schema: { response: { 200: LeakPattern, ...errorResponses } },
    handler: async () => leakPattern(await leaks.store.listKeyPrefixes()),
  });
