import type { ApiPage, IssuedKey } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../../shared/api.js';
import { Dialog } from '../../shared/dialog.js';
import { useGet } from '../hooks.js';

interface CreateKeyForm {
  apiId: string;
  name: string;
  externalId: string;
  permissions: string;
  expiresInDays: string;
}

/** Splits `a, b c` into `['a', 'b', 'c']`. */
export const splitList = (text: string): string[] => text.split(/[\s,]+/).filter((item) => item !== '');

/**
 * Issues a key. On success it hands the answer (with the plaintext) to `onIssued` and
 * closes: the caller shows it once and drops it.
 */
export function CreateKeyDialog({
  onIssued,
  onClose,
}: {
  onIssued: (key: IssuedKey) => void;
  onClose: () => void;
}) {
  const apis = useGet<ApiPage>('/v1/apis?limit=100');
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<CreateKeyForm>({
    defaultValues: { apiId: '', name: '', externalId: '', permissions: '', expiresInDays: '' },
  });
  const submit = handleSubmit(async (form) => {
    setError(null);
    try {
      const days = form.expiresInDays.trim() === '' ? null : Number(form.expiresInDays);
      const issued = await api<IssuedKey>('POST', '/v1/keys', {
        apiId: form.apiId,
        ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
        ...(form.externalId.trim() === '' ? {} : { externalId: form.externalId.trim() }),
        permissions: splitList(form.permissions),
        ...(days === null ? {} : { expiresAt: Date.now() + days * 86_400_000 }),
      });
      onIssued(issued);
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  return (
    <Dialog
      title="Create a key"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="create-key"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Create key
          </button>
        </>
      }
    >
      <form id="create-key" onSubmit={submit} noValidate>
        <label className="field">
          <span>API</span>
          <select {...register('apiId', { required: 'Choose an API' })}>
            <option value="">Choose…</option>
            {apis.data?.items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.prefix})
              </option>
            ))}
          </select>
          {formState.errors.apiId ? (
            <span className="field-error">{formState.errors.apiId.message}</span>
          ) : null}
        </label>
        <label className="field">
          <span>Name</span>
          <input {...register('name')} placeholder="acme production" />
        </label>
        <label className="field">
          <span>Customer (external id)</span>
          <input {...register('externalId')} placeholder="acme" />
          <small>The consumer is created if it does not exist yet.</small>
        </label>
        <label className="field">
          <span>Permissions</span>
          <input {...register('permissions')} placeholder="sessions:read, chargers:*" />
        </label>
        <label className="field">
          <span>Expires in (days)</span>
          <input type="number" min="1" {...register('expiresInDays')} placeholder="never" />
        </label>
        {error === null ? null : (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
