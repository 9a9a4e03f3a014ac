import { AuditEventList, ListAuditEventsQuery } from '@keymint/api';
import { defineEndpoint } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';

/** `GET /v1/audit-events`: the trail of changes, newest first. */
export const listAuditEvents = ({ audit }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/audit-events',
    operationId: 'listAuditEvents',
    summary: 'List audit events',
    description: 'Lists the trail of changes (who did what to which key, and from where), newest first.',
    tags: ['audit'],
    access: { permission: 'audit:read' },
    errors: 'contract',
    schema: { querystring: ListAuditEventsQuery, response: { 200: AuditEventList, ...errorResponses } },
    handler: (call) => audit.list(call.query),
  });
