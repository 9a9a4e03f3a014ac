import { AuditEventList, ListAuditEventsQuery } from '@keymint/api';
import { bearerAuth, errorResponses } from '../http/route-schema.js';
import type { Route } from '../http/types.js';

/** `GET /v1/audit-events`: the trail of changes, newest first. */
export const listAuditEvents: Route = (app, { audit }) =>
  app.get(
    '/v1/audit-events',
    {
      config: { access: { permission: 'audit:read' } },
      schema: { tags: ['audit'], summary: 'List audit events', security: bearerAuth, querystring: ListAuditEventsQuery, response: { 200: AuditEventList, ...errorResponses } },
    },
    async (request) => audit.list(request.query),
  );
