/**
 * Scripted failures of a platform fake: the next N requests matching a scope (and, optionally, one tenant)
 * get a given answer instead of being processed. Each fake names its scopes, tenants and failures.
 */
export class FailureScript<Scope extends string, Tenant, Failure> {
  private readonly queue: Array<{ scope: Scope | 'any'; tenant: Tenant | undefined; failure: Failure }> = [];

  add(count: number, failure: Failure, scope: Scope | 'any', tenant: Tenant | undefined): void {
    for (let i = 0; i < count; i += 1) this.queue.push({ scope, tenant, failure });
  }

  /** The first failure scripted for this scope (or any) and tenant (or every tenant), removed from the script. */
  take(scope: Scope, tenant: Tenant | undefined): Failure | undefined {
    const index = this.queue.findIndex((f) => (f.scope === 'any' || f.scope === scope) && (f.tenant === undefined || f.tenant === tenant));
    if (index < 0) return undefined;
    return this.queue.splice(index, 1)[0]?.failure;
  }
}
