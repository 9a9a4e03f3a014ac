import { CreditsChangeBody, OrganizationLimits, OrganizationLimitsBody, OrganizationParams } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `GET /v1/organizations/{id}/limits`: the limits and pool the organization's keys share. */
export const getOrganizationLimits = ({ organizations }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/organizations/:id/limits',
    operationId: 'getOrganizationLimits',
    summary: "Get an organization's limits",
    description: 'The rate limits every key of the organization is held to and the credit pool they spend from (none yet: an empty list and null).',
    tags: ['organizations'],
    access: { permission: 'keys:read', delegated: true },
    errors: 'contract',
    schema: { params: OrganizationParams, response: { 200: OrganizationLimits, ...errorResponses } },
    handler: (call) => organizations.get(requestActor(call), call.params.id),
  });

/** `PUT /v1/organizations/{id}/limits`: replaces the fields given. */
export const setOrganizationLimits = ({ organizations }: Services) =>
  defineEndpoint({
    method: 'PUT',
    path: '/v1/organizations/:id/limits',
    operationId: 'setOrganizationLimits',
    summary: "Set an organization's limits",
    description: 'Replaces the rate limits and/or the credit pool given (`credits: null` removes the pool); takes effect on every instance at once.',
    tags: ['organizations'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: OrganizationParams, body: OrganizationLimitsBody, response: { 200: OrganizationLimits, ...errorResponses } },
    handler: (call) => organizations.set(requestActor(call), call.params.id, call.body),
  });

/** `POST /v1/organizations/{id}/credits`: one atomic change of the pool. */
export const changeOrganizationCredits = ({ organizations }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/organizations/:id/credits',
    operationId: 'changeOrganizationCredits',
    summary: "Change an organization's credit pool",
    description: '`set`, `increment` or `decrement` (stops at 0) the pool, atomically; 409 when the organization has no pool.',
    tags: ['organizations'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: OrganizationParams, body: CreditsChangeBody, response: { 200: OrganizationLimits, ...errorResponses } },
    handler: (call) => organizations.changeCredits(requestActor(call), call.params.id, call.body),
  });
