import type { RolePage } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../../shared/api.js';
import { Dialog } from '../../shared/dialog.js';
import { formatTime } from '../../shared/format.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Pills, Table } from '../ui.js';
import { splitList } from './create-key-dialog.js';

interface RoleForm {
  name: string;
  description: string;
  permissions: string;
}

/** Roles: named bundles of permissions that keys refer to by name. */
export default function RolesPage() {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const roles = useGet<RolePage>('/v1/roles?limit=100');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, reset, formState } = useForm<RoleForm>({
    defaultValues: { name: '', description: '', permissions: '' },
  });
  const submit = handleSubmit(async (form) => {
    try {
      await api('POST', '/v1/roles', {
        name: form.name.trim(),
        ...(form.description.trim() === '' ? {} : { description: form.description.trim() }),
        permissions: splitList(form.permissions),
      });
      reset();
      setCreating(false);
      await refresh('/v1/roles');
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  return (
    <>
      <PageHead
        title="Roles"
        intro="A key holding a role holds its permissions; change the role and every such key follows."
        actions={
          allows(session, 'roles:write') ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create role
            </button>
          ) : undefined
        }
      />
      <div className="card">
        <Loaded query={roles}>
          {(page) => (
            <Table
              label="Roles"
              rows={page.items}
              columns={[
                { header: 'Name', cell: (r) => <span className="mono">{r.name}</span> },
                { header: 'Description', cell: (r) => r.description ?? '—' },
                { header: 'Permissions', cell: (r) => <Pills items={r.permissions} /> },
                { header: 'Updated', cell: (r) => formatTime(r.updatedAt) },
              ]}
            />
          )}
        </Loaded>
      </div>
      {creating ? (
        <Dialog
          title="Create a role"
          onClose={() => setCreating(false)}
          actions={
            <>
              <button type="button" className="button" onClick={() => setCreating(false)}>
                Cancel
              </button>
              <button
                type="submit"
                form="create-role"
                className="button button-primary"
                disabled={formState.isSubmitting}
              >
                Create role
              </button>
            </>
          }
        >
          <form id="create-role" onSubmit={submit} noValidate>
            <label className="field">
              <span>Name</span>
              <input {...register('name', { required: 'Name the role' })} placeholder="reader" />
            </label>
            <label className="field">
              <span>Description</span>
              <input {...register('description')} />
            </label>
            <label className="field">
              <span>Permissions</span>
              <input {...register('permissions')} placeholder="sessions:read, chargers:read" />
            </label>
            {error === null ? null : (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </form>
        </Dialog>
      ) : null}
    </>
  );
}
