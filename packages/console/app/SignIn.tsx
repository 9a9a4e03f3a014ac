import { useState, type FormEvent } from 'react';

/** Sign in with a root key secret (kept in this tab's sessionStorage until sign out). */
export function SignIn({ onSignIn, error }: { onSignIn: (token: string) => void; error?: string }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSignIn(token.trim());
  };
  return (
    <div className="km-root kc-signin-page">
      <main className="kc-center">
        <h1>Keymint console</h1>
        <form className="km-form kc-signin" onSubmit={submit}>
          <label htmlFor="root-key">Root key</label>
          <input
            id="root-key"
            className="km-input km-mono"
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <p className="km-muted">Kept in this browser tab only, until you sign out or close it.</p>
          {error && (
            <p className="km-error" role="alert">
              {error}
            </p>
          )}
          <div className="km-actions">
            <button type="submit" className="km-button km-primary">
              Sign in
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
