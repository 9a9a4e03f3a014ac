import type { SessionOrganization } from '@keymint/react';

/** The signed-in credential: a root key, or a session token with what the host application says it may do. */
export interface Credential {
  token: string;
  session?: { userId: string; organizations: SessionOrganization[] };
}

/** sessionStorage only: gone when the tab closes, never in localStorage or a URL. */
const STORAGE_KEY = 'keymint.console.credential';

export function storedCredential(): Credential | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Credential;
    return typeof value.token === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredential(credential: Credential): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
}

export function forgetCredential(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * A session handed over by the host application in the URL fragment
 * (`#session=<token>&user=<user id>&orgs=<org>:<admin|member>,…`), which is then removed from the
 * URL so it stays out of history, bookmarks and screenshots. The fragment never reaches a server.
 */
export function takeFragmentSession(location: Location, history: History): Credential | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('session');
  if (!token) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  const organizations = (params.get('orgs') ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry): SessionOrganization => {
      const at = entry.lastIndexOf(':');
      return { id: entry.slice(0, at), role: entry.slice(at + 1) === 'admin' ? 'admin' : 'member' };
    });
  return { token, session: { userId: params.get('user') ?? '', organizations } };
}
