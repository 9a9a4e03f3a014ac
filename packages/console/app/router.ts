import { useEffect, useState } from 'react';

/** The console's pages, by path under /console/. */
export type Route =
  | { page: 'keys' }
  | { page: 'key'; id: string }
  | { page: 'usage' }
  | { page: 'root-keys' }
  | { page: 'audit' }
  | { page: 'webhooks' }
  | { page: 'organizations' };

/** Pages whose path is their name alone. */
const NAMED_PAGES = ['usage', 'root-keys', 'audit', 'webhooks', 'organizations'] as const;

const BASE = '/console/';

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const [section, id] = path.split('/');
  if (section === 'keys' && id) return { page: 'key', id: decodeURIComponent(id) };
  const named = NAMED_PAGES.find((page) => page === section);
  if (named) return { page: named };
  return { page: 'keys' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'key') return `${BASE}keys/${encodeURIComponent(route.id)}`;
  if (route.page === 'keys') return BASE;
  return `${BASE}${route.page}`;
}

/** The current route, following links and the back button. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: Route) => {
    history.pushState(null, '', hrefOf(next));
    setRoute(next);
  };
  return [route, navigate];
}
