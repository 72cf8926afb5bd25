import type { PortalApiView, PortalIssuedKey } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../shared/api.js';
import { Dialog } from '../shared/dialog.js';

interface Form {
  apiId: string;
  name: string;
  permissions: string[];
}

/** A customer creates a key: which API, a name, and a subset of the permissions the provider offers. */
export function CreatePortalKeyDialog({
  apis,
  onIssued,
  onClose,
}: {
  apis: PortalApiView[];
  onIssued: (key: PortalIssuedKey) => void;
  onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const first = apis[0];
  const { register, handleSubmit, watch, formState } = useForm<Form>({
    defaultValues: { apiId: first?.id ?? '', name: '', permissions: first?.permissions ?? [] },
  });
  const chosen = apis.find((a) => a.id === watch('apiId'));
  const submit = handleSubmit(async (form) => {
    setError(null);
    try {
      onIssued(
        await api<PortalIssuedKey>('POST', '/portal/api/keys', {
          apiId: form.apiId,
          ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
          permissions: Array.isArray(form.permissions)
            ? form.permissions
            : [form.permissions].filter(Boolean),
        }),
      );
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
            form="portal-create"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Create key
          </button>
        </>
      }
    >
      <form id="portal-create" onSubmit={submit} noValidate>
        <label className="field">
          <span>API</span>
          <select {...register('apiId')}>
            {apis.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input {...register('name')} placeholder="production server" />
          <small>So that you can tell your keys apart.</small>
        </label>
        {chosen && chosen.permissions.length > 0 ? (
          <fieldset className="field">
            <legend>Permissions</legend>
            {chosen.permissions.map((p) => (
              <label key={p} className="field-inline">
                <input type="checkbox" value={p} {...register('permissions')} />
                <span className="mono">{p}</span>
              </label>
            ))}
          </fieldset>
        ) : null}
        {error === null ? null : (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
