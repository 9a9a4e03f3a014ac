// A plain host application's settings page: its own backend mints a Keymint session for the
// signed-in user (GET /session), and the page embeds @keymint/react with it.
import '@keymint/react/styles.css';
import { ApiKeys, KeymintProvider, sessionAccess, type SessionOrganization } from '@keymint/react';
import { createRoot } from 'react-dom/client';

interface HostSession {
  apiUrl: string;
  token: string;
  userId: string;
  organizations: SessionOrganization[];
}

const session = (await (await fetch(`/session${location.search}`)).json()) as HostSession;
createRoot(document.getElementById('keys')!).render(
  <KeymintProvider baseUrl={session.apiUrl} token={session.token} access={sessionAccess(session)}>
    <ApiKeys />
  </KeymintProvider>,
);
