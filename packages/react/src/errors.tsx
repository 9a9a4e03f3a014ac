import { KeymintError } from '@keymint/sdk';

/** What went wrong, in words a person can act on (a string: a problem the form found before sending). */
export function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof KeymintError) {
    switch (error.status) {
      case 401:
        return 'Your sign-in is no longer valid. Sign in again.';
      case 403:
        return `You don't have permission to do this. ${error.message}`;
      case 404:
        return 'Not found: it may have been deleted, or you may not see it.';
      case 409:
        return `Not possible in the current state: ${error.message}`;
      case 429:
        return 'Too many requests. Wait a moment and try again.';
      default: {
        const fields = error.details.map((d) => d.field);
        return fields.length ? `${error.message} (${fields.join(', ')})` : error.message;
      }
    }
  }
  return 'Keymint could not be reached. Check your connection and try again.';
}

/** An error, announced to screen readers as it appears; nothing for none (undefined, null, ''). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null || error === '') return null;
  return (
    <p className="km-error" role="alert">
      {describeError(error)}
    </p>
  );
}
