import { Keymint } from '@keymint/sdk';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Access } from './access.js';

interface KeymintContextValue {
  client: Keymint;
  access: Access;
}

const KeymintContext = createContext<KeymintContextValue | null>(null);

export interface KeymintProviderProps {
  /** Where Keymint is served, e.g. `https://keys.example.com`. */
  baseUrl: string;
  /** A root key secret or a session token. */
  token: string;
  /** What the credential may do: `sessionAccess(...)` for a session, `probeRootKeyAccess(...)` for a root key. */
  access: Access;
  children: ReactNode;
  /** Extra class names on the root element (themes set the `--km-*` variables on it). */
  className?: string;
}

/**
 * Gives the components below it a client and the credential's rights. Renders the `km-root`
 * element every component style is scoped under, so nothing leaks into the host page.
 */
export function KeymintProvider({ baseUrl, token, access, children, className }: KeymintProviderProps) {
  const value = useMemo(() => ({ client: new Keymint({ baseUrl, token, retries: 0 }), access }), [baseUrl, token, access]);
  return (
    <KeymintContext.Provider value={value}>
      <div className={className ? `km-root ${className}` : 'km-root'}>{children}</div>
    </KeymintContext.Provider>
  );
}

/** The client and rights of the nearest `KeymintProvider`. */
export function useKeymint(): KeymintContextValue {
  const value = useContext(KeymintContext);
  if (!value) throw new Error('Keymint components must be inside a <KeymintProvider>');
  return value;
}
