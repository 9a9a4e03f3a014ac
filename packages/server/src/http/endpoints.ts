import { listAuditEvents } from '../audit/routes.js';
import { changeKeyCredits } from '../keys/routes/change-key-credits.js';
import { createKey } from '../keys/routes/create-key.js';
import { deleteKey } from '../keys/routes/delete-key.js';
import { getKey } from '../keys/routes/get-key.js';
import { bulkRevokeKeys, exportKeys, importKeys } from '../keys/routes/bulk-keys.js';
import { listKeys } from '../keys/routes/list-keys.js';
import { revokeKey } from '../keys/routes/revoke-key.js';
import { rotateKey } from '../keys/routes/rotate-key.js';
import { updateKey } from '../keys/routes/update-key.js';
import { verifyKey } from '../keys/routes/verify-key.js';
import { getLeakPattern, reportGithubLeaks, reportLeaks } from '../leaks/routes.js';
import { changeOrganizationCredits, getOrganizationLimits, setOrganizationLimits } from '../metering/routes/organization-limits.js';
import { createRootKey, deleteRootKey, getRootKey, listRootKeys, rotateRootKey } from '../root-keys/routes.js';
import { createSession, deleteSession, revokeSessions } from '../sessions/routes.js';
import { introspectToken } from '../tokens/routes/introspect-token.js';
import { issueToken } from '../tokens/routes/issue-token.js';
import { jwks } from '../tokens/routes/jwks.js';
import { serverMetadata } from '../tokens/routes/server-metadata.js';
import { listSigningKeys, rotateSigningKey } from '../tokens/routes/signing-keys.js';
import type { TokenServices } from '../tokens/token-services.js';
import { webhookEndpoints } from '../webhooks/routes.js';
import { getKeyUsage, queryUsage } from '../usage/routes.js';
import { routeKey, type AnyEndpoint } from './endpoint.js';
import { healthz, metricsEndpoint, openApiDocument, readyz, type OperationsDeps } from './operations.js';
import type { RouteAccess, Services } from './types.js';

/** Everything the endpoints call. */
export interface EndpointServices extends Services {
  tokens: TokenServices;
  operations: OperationsDeps;
}

/**
 * Every endpoint of the server, in one table: Fastify registration, the raw fast lane, the
 * OpenAPI document and the route list all come from it. Adding an endpoint is a definition
 * (`defineEndpoint`) and a line here.
 */
export function endpointsOf(s: EndpointServices): AnyEndpoint[] {
  return [
    verifyKey(s),
    createKey(s),
    listKeys(s),
    getKey(s),
    updateKey(s),
    rotateKey(s),
    revokeKey(s),
    deleteKey(s),
    getKeyUsage(s),
    queryUsage(s),
    importKeys(s),
    bulkRevokeKeys(s),
    exportKeys(s),
    changeKeyCredits(s),
    getOrganizationLimits(s),
    setOrganizationLimits(s),
    changeOrganizationCredits(s),
    createRootKey(s),
    listRootKeys(s),
    getRootKey(s),
    rotateRootKey(s),
    deleteRootKey(s),
    createSession(s),
    deleteSession(s),
    revokeSessions(s),
    listAuditEvents(s),
    ...webhookEndpoints(s),
    reportGithubLeaks(s),
    reportLeaks(s),
    getLeakPattern(s),
    issueToken(s.tokens),
    introspectToken(s.tokens),
    ...serverMetadata(s.tokens),
    jwks(s.tokens),
    listSigningKeys(s.tokens),
    rotateSigningKey(s.tokens),
    healthz(),
    readyz(s.operations),
    metricsEndpoint(s.operations),
    openApiDocument(s.operations),
  ];
}

/** What each `/v1` endpoint declared as its access, by `METHOD /v1/path/:param`, so tests hold every route to its own declaration. */
export function routeAccessOf(endpoints: readonly AnyEndpoint[]): ReadonlyMap<string, RouteAccess> {
  return new Map(endpoints.filter((endpoint) => endpoint.path.startsWith('/v1/')).map((endpoint) => [routeKey(endpoint), endpoint.access]));
}
