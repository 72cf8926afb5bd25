import type { DashboardSessionView } from '@keyward/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../shared/api.js';

interface SignInForm {
  rootKey: string;
}

/**
 * Sign-in with a root key. The key goes to the server once, in a POST body; the answer
 * sets an HttpOnly cookie. The form is reset right after (the field is cleared and no
 * state keeps the key), and nothing is written to localStorage or sessionStorage.
 */
export function SignIn() {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, reset, formState } = useForm<SignInForm>({
    defaultValues: { rootKey: '' },
  });
  const submit = handleSubmit(async ({ rootKey }) => {
    setError(null);
    try {
      const session = await api<DashboardSessionView>('POST', '/dashboard/api/session', {
        rootKey: rootKey.trim(),
      });
      reset({ rootKey: '' });
      client.setQueryData(['session'], session);
    } catch (failure) {
      reset({ rootKey: '' });
      setError(errorText(failure));
    }
  });
  return (
    <main className="center">
      <div className="card signin">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> keyward
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Use a root key of your workspace (<code>kwroot_…</code>). It is exchanged for a session and not kept
          in this browser.
        </p>
        <form onSubmit={submit} noValidate>
          <label className="field">
            <span>Root key</span>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              {...register('rootKey', { required: 'Enter a root key' })}
              aria-invalid={formState.errors.rootKey ? true : undefined}
            />
            {formState.errors.rootKey ? (
              <span className="field-error">{formState.errors.rootKey.message}</span>
            ) : null}
          </label>
          {error === null ? null : (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button-primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
