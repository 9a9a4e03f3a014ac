import { KeymintCore, type KeymintOptions } from './core.js';
import type { Result } from './errors.js';
import { auditList, auditListAll } from './funcs/audit.js';
import { leaksPattern, leaksReport } from './funcs/leaks.js';
import { keysBulkRevoke, keysExport, keysExportAll, keysImport } from './funcs/key-bulk.js';
import { keysCreate, keysCredits, keysDelete, keysGet, keysList, keysListAll, keysRevoke, keysRotate, keysUpdate, keysVerify } from './funcs/keys.js';
import { organizationsCredits, organizationsGetLimits, organizationsSetLimits } from './funcs/organizations.js';
import { rootKeysCreate, rootKeysDelete, rootKeysGet, rootKeysList, rootKeysRotate } from './funcs/root-keys.js';
import { sessionsCreate, sessionsDelete, sessionsRevokeForUser } from './funcs/sessions.js';
import { tokensClientCredentials, tokensIntrospect } from './funcs/tokens.js';
import { signingKeysList, signingKeysRotate } from './funcs/signing-keys.js';
import {
  webhooksCreate,
  webhooksDelete,
  webhooksDeliveries,
  webhooksGet,
  webhooksList,
  webhooksRetryDelivery,
  webhooksRotateSecret,
  webhooksTest,
  webhooksUpdate,
} from './funcs/webhooks.js';
import { usageGet, usageQuery } from './funcs/usage.js';

/** A standalone function seen as a method: the core bound, the `Result` unwrapped (thrown on failure). */
type Method<F> = F extends (core: KeymintCore, ...args: infer A) => Promise<Result<infer T>> ? (...args: A) => Promise<T> : never;
/** A standalone iterator seen as a method: the core bound. */
type Iterating<F> = F extends (core: KeymintCore, ...args: infer A) => infer R ? (...args: A) => R : never;

type Funcs = Record<string, (core: KeymintCore, ...args: never[]) => Promise<Result<unknown>>>;

/** Binds standalone functions to a client as throwing methods: the functions are the one implementation. */
function methods<M extends Funcs>(core: KeymintCore, funcs: M): { [K in keyof M]: Method<M[K]> } {
  const bound: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, func] of Object.entries(funcs)) {
    bound[name] = async (...args: never[]) => {
      const result = await func(core, ...args);
      if (!result.ok) throw result.error;
      return result.value;
    };
  }
  return bound as { [K in keyof M]: Method<M[K]> };
}

/** Binds an iterator function (`listAll`) to a client. */
const iterating = <F extends (core: KeymintCore, ...args: never[]) => unknown>(core: KeymintCore, func: F): Iterating<F> =>
  ((...args: never[]) => func(core, ...args)) as Iterating<F>;

/**
 * The Keymint client: every route of the API as a method that resolves with the answer
 * (camelCase) or throws a `KeymintError` / `KeymintNetworkError` / `KeymintTimeoutError` /
 * `KeymintAbortError`. For calls that never throw, use the standalone functions on a `KeymintCore`.
 */
export class Keymint extends KeymintCore {
  /** API keys: create, list and page, read, update, rotate, revoke, delete, verify; import, bulkRevoke, export (and exportAll). */
  readonly keys;
  /** Root keys (management credentials). */
  readonly rootKeys;
  /** End-user sessions for the browser flow: create, delete (end one), revokeForUser (end all of a user's). */
  readonly sessions;
  /** Client-credentials access tokens and their introspection. */
  readonly tokens;
  /** The audit trail. */
  readonly audit;
  /** Verify counts: per key (`get`) and across keys (`query`, grouped by key, code or tag). */
  readonly usage;
  /** Keys that sign access tokens: list, rotate. */
  readonly signingKeys;
  /** Webhook endpoints: create, list, get, update, delete, rotateSecret, test, deliveries, retryDelivery. */
  readonly webhooks;
  /** Leaked secrets: report them (public), and the pattern scanners look for. */
  readonly leaks;
  /** Organizations' shared rate limits and credit pool: getLimits, setLimits, credits. */
  readonly organizations;

  constructor(options: KeymintOptions) {
    super(options);
    this.keys = {
      ...methods(this, {
        create: keysCreate,
        list: keysList,
        get: keysGet,
        update: keysUpdate,
        rotate: keysRotate,
        revoke: keysRevoke,
        delete: keysDelete,
        verify: keysVerify,
        import: keysImport,
        bulkRevoke: keysBulkRevoke,
        export: keysExport,
        credits: keysCredits,
      }),
      listAll: iterating(this, keysListAll),
      exportAll: iterating(this, keysExportAll),
    };
    this.rootKeys = methods(this, { create: rootKeysCreate, list: rootKeysList, get: rootKeysGet, rotate: rootKeysRotate, delete: rootKeysDelete });
    this.sessions = methods(this, { create: sessionsCreate, delete: sessionsDelete, revokeForUser: sessionsRevokeForUser });
    this.tokens = methods(this, { clientCredentials: tokensClientCredentials, introspect: tokensIntrospect });
    this.audit = { ...methods(this, { list: auditList }), listAll: iterating(this, auditListAll) };
    this.usage = methods(this, { get: usageGet, query: usageQuery });
    this.signingKeys = methods(this, { list: signingKeysList, rotate: signingKeysRotate });
    this.webhooks = methods(this, {
      create: webhooksCreate,
      list: webhooksList,
      get: webhooksGet,
      update: webhooksUpdate,
      delete: webhooksDelete,
      rotateSecret: webhooksRotateSecret,
      test: webhooksTest,
      deliveries: webhooksDeliveries,
      retryDelivery: webhooksRetryDelivery,
    });
    this.leaks = methods(this, { report: leaksReport, pattern: leaksPattern });
    this.organizations = methods(this, { getLimits: organizationsGetLimits, setLimits: organizationsSetLimits, credits: organizationsCredits });
  }
}
