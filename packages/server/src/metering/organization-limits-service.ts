import type { CreditsChangeBody, OrganizationLimits, OrganizationLimitsBody } from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { assertCanManageOrganization, assertCanReadOrganization } from '../auth/access-policy.js';
import type { Clock } from '../clock.js';
import { conflict } from '../errors.js';
import type { InvalidationBus } from '../keys/invalidation-bus.js';
import type { VerifyCache } from '../keys/verify-cache.js';
import type { Millis, OrganizationLimitsRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { changedCredits, creditsOf, presentCredits, presentRateLimits, rateLimitsOf } from './limits-policy.js';

/** An organization's limits as the API shows them at `now` (none yet: no limits, no pool). */
function presentLimits(organizationId: string, limits: OrganizationLimitsRecord | null, now: Millis): OrganizationLimits {
  return { organization_id: organizationId, rate_limits: presentRateLimits(limits?.rateLimits ?? []), credits: presentCredits(limits?.credits ?? null, now) };
}

/**
 * Limits and a credit pool an organization's keys share: read, replaced, credited. Every change
 * is audited in its transaction (`organization.limits_changed`) and invalidates the cached
 * limits on every instance, so verifies apply it at once.
 */
export class OrganizationLimitsService {
  constructor(private readonly deps: { store: Store; clock: Clock; cache: VerifyCache; bus: InvalidationBus }) {}

  async get(actor: Actor, organizationId: string): Promise<OrganizationLimits> {
    assertCanReadOrganization(actor.principal, organizationId);
    return presentLimits(organizationId, await this.deps.store.getOrganizationLimits(organizationId), this.deps.clock.now());
  }

  /** `PUT …/limits`: the fields given replace the current ones; those left out stay. */
  async set(actor: Actor, organizationId: string, body: OrganizationLimitsBody): Promise<OrganizationLimits> {
    const now = this.deps.clock.now();
    // Validated before the transaction: a refused change changes nothing.
    const rateLimits = body.rate_limits && rateLimitsOf(body.rate_limits);
    const credits = body.credits && creditsOf(body.credits, now);
    return this.change(actor, organizationId, now, (current) => ({
      organizationId,
      rateLimits: rateLimits ?? current?.rateLimits ?? [],
      credits: credits === undefined ? (current?.credits ?? null) : credits,
      updatedAt: now,
    }));
  }

  /** `POST …/credits`: one atomic change of the pool; an organization without one answers 409. */
  async changeCredits(actor: Actor, organizationId: string, change: CreditsChangeBody): Promise<OrganizationLimits> {
    const now = this.deps.clock.now();
    return this.change(actor, organizationId, now, (current) => {
      if (!current?.credits) throw conflict('This organization has no credit pool: set one with PUT /v1/organizations/{id}/limits first.');
      return { ...current, credits: changedCredits(current.credits, change, now), updatedAt: now };
    });
  }

  private async change(
    actor: Actor,
    organizationId: string,
    now: Millis,
    next: (current: OrganizationLimitsRecord | null) => OrganizationLimitsRecord,
  ): Promise<OrganizationLimits> {
    assertCanManageOrganization(actor.principal, organizationId);
    const limits = await this.deps.store.changeOrganizationLimits(organizationId, (current) => {
      const limits = next(current);
      const before = presentLimits(organizationId, current, now);
      const after = presentLimits(organizationId, limits, now);
      return { limits, audit: auditEvent(actor, 'organization.limits_changed', { organizationId }, { before: { ...before }, after: { ...after } }, now) };
    });
    this.deps.cache.invalidate({ organizationId });
    await this.deps.bus.publish({ organizationId });
    return presentLimits(organizationId, limits, now);
  }
}
