import { ApiKeys, describeError, KeyDetails, KeymintProvider } from '@keymint/react';
import { useEffect, useState } from 'react';
import { consoleAccessOf, type ConsoleAccess } from './console-access.js';
import { forgetCredential, storeCredential, type Credential } from './credential.js';
import { AuditPage } from './pages/AuditPage.js';
import { OrganizationLimitsPage } from './pages/OrganizationLimitsPage.js';
import { RootKeysPage } from './pages/RootKeysPage.js';
import { UsagePage } from './pages/UsagePage.js';
import { WebhooksPage } from './pages/WebhooksPage.js';
import { hrefOf, useRoute, type Route } from './router.js';
import { SignIn } from './SignIn.js';

/** The server that serves the console is the API it manages. */
const baseUrl = location.origin;

export function App({ initial }: { initial: Credential | undefined }) {
  const [credential, setCredential] = useState(initial);
  const [access, setAccess] = useState<ConsoleAccess>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!credential) return;
    let current = true;
    consoleAccessOf(baseUrl, credential).then(
      (found) => current && setAccess(found),
      (failure: unknown) => {
        if (!current) return;
        forgetCredential();
        setCredential(undefined);
        setError(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [credential]);

  const signIn = (token: string) => {
    const next = { token };
    storeCredential(next);
    setError(undefined);
    setAccess(undefined);
    setCredential(next);
  };
  const signOut = () => {
    forgetCredential();
    // The next sign-in starts from the keys page, whatever this credential had open.
    history.replaceState(null, '', hrefOf({ page: 'keys' }));
    setAccess(undefined);
    setCredential(undefined);
  };

  if (!credential) return <SignIn onSignIn={signIn} error={error ? describeError(error) : undefined} />;
  if (!access)
    return (
      <main className="kc-center" aria-busy="true">
        <p>Signing in…</p>
      </main>
    );
  return (
    <KeymintProvider baseUrl={baseUrl} token={credential.token} access={access}>
      <Shell access={access} onSignOut={signOut} />
    </KeymintProvider>
  );
}

function Shell({ access, onSignOut }: { access: ConsoleAccess; onSignOut: () => void }) {
  const [route, navigate] = useRoute();
  const link = (target: Route, label: string) => (
    <a
      href={hrefOf(target)}
      aria-current={route.page === target.page || (route.page === 'key' && target.page === 'keys') ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(target);
      }}
    >
      {label}
    </a>
  );
  return (
    <div className="kc-app">
      <header className="kc-header">
        <span className="kc-brand">Keymint</span>
        <nav aria-label="Console">
          {link({ page: 'keys' }, 'Keys')}
          {access.readKeys && link({ page: 'usage' }, 'Usage')}
          {access.readRootKeys && link({ page: 'root-keys' }, 'Root keys')}
          {access.readAudit && link({ page: 'audit' }, 'Audit log')}
          {access.readWebhooks && link({ page: 'webhooks' }, 'Webhooks')}
          {organizationLimitsAllowed(access) && link({ page: 'organizations' }, 'Organization limits')}
        </nav>
        <button type="button" className="km-button km-small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="kc-main">
        <Page route={route} access={access} navigate={navigate} />
      </main>
    </div>
  );
}

function Page({ route, access, navigate }: { route: Route; access: ConsoleAccess; navigate: (route: Route) => void }) {
  switch (route.page) {
    case 'key':
      return (
        <>
          <p>
            <a
              href={hrefOf({ page: 'keys' })}
              onClick={(event) => {
                event.preventDefault();
                navigate({ page: 'keys' });
              }}
            >
              ← All keys
            </a>
          </p>
          <KeyDetails keyId={route.id} onDeleted={() => navigate({ page: 'keys' })} />
        </>
      );
    case 'usage':
      return access.readKeys ? <UsagePage onOpenKey={(id) => navigate({ page: 'key', id })} /> : <NotAllowed />;
    case 'root-keys':
      return access.readRootKeys ? <RootKeysPage /> : <NotAllowed />;
    case 'audit':
      return access.readAudit ? <AuditPage /> : <NotAllowed />;
    case 'webhooks':
      return access.readWebhooks ? <WebhooksPage canWrite={access.writeWebhooks} /> : <NotAllowed />;
    case 'organizations':
      return organizationLimitsAllowed(access) ? <OrganizationLimitsPage canWrite={access.createKeys} /> : <NotAllowed />;
    default:
      return (
        <>
          <h1>API keys</h1>
          <ApiKeys onSelect={(key) => navigate({ page: 'key', id: key.id })} />
        </>
      );
  }
}

/** Organization limits need keys:read to see and keys:write to change; a session edits none here. */
function organizationLimitsAllowed(access: ConsoleAccess): boolean {
  return access.kind === 'root_key' && access.readKeys;
}

function NotAllowed() {
  return <p role="alert">This credential may not open this page.</p>;
}
