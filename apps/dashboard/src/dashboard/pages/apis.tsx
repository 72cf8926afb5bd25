import type { ApiPage, ApiView, PortalPolicyView } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../../shared/api.js';
import { Dialog } from '../../shared/dialog.js';
import { formatTime } from '../../shared/format.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Table } from '../ui.js';
import { splitList } from './create-key-dialog.js';
import { LifetimePolicyDialog } from './lifetime-policy-dialog.js';

interface ApiForm {
  name: string;
  prefix: string;
}

function CreateApiDialog({ onClose }: { onClose: () => void }) {
  const refresh = useRefresh();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<ApiForm>({ defaultValues: { name: '', prefix: '' } });
  const submit = handleSubmit(async (form) => {
    try {
      await api('POST', '/v1/apis', form);
      await refresh('/v1/apis');
      onClose();
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  return (
    <Dialog
      title="Create an API"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="create-api"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Create API
          </button>
        </>
      }
    >
      <form id="create-api" onSubmit={submit} noValidate>
        <label className="field">
          <span>Name</span>
          <input {...register('name', { required: 'Name the API' })} placeholder="Charging API" />
          {formState.errors.name ? (
            <span className="field-error">{formState.errors.name.message}</span>
          ) : null}
        </label>
        <label className="field">
          <span>Key prefix</span>
          <input
            {...register('prefix', {
              required: 'Choose a prefix',
              pattern: {
                value: /^[a-z][a-z0-9_]{1,15}$/,
                message: 'Lowercase letters, digits and _, 2-16 long',
              },
            })}
            placeholder="amp_live"
          />
          <small>Keys look like prefix_…: secret scanners can find them.</small>
          {formState.errors.prefix ? (
            <span className="field-error">{formState.errors.prefix.message}</span>
          ) : null}
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

interface PolicyForm {
  enabled: boolean;
  allowCreate: boolean;
  allowRoll: boolean;
  allowRevoke: boolean;
  permissions: string;
  limit: string;
  durationSeconds: string;
  credits: string;
  maxKeysPerConsumer: string;
}

/** What the customers of one API may do in the portal. */
function PolicyDialog({ target, onClose }: { target: ApiView; onClose: () => void }) {
  const policy = useGet<PortalPolicyView>(`/v1/apis/${target.id}/portal-policy`);
  return (
    <Loaded query={policy}>
      {(current) => <PolicyForm target={target} current={current} onClose={onClose} />}
    </Loaded>
  );
}

function PolicyForm({
  target,
  current,
  onClose,
}: {
  target: ApiView;
  current: PortalPolicyView;
  onClose: () => void;
}) {
  const refresh = useRefresh();
  const [error, setError] = useState<string | null>(null);
  const limit = current.ratelimits[0];
  const { register, handleSubmit, formState } = useForm<PolicyForm>({
    defaultValues: {
      enabled: current.enabled,
      allowCreate: current.allowCreate,
      allowRoll: current.allowRoll,
      allowRevoke: current.allowRevoke,
      permissions: current.permissions.join(', '),
      limit: limit ? String(limit.limit) : '',
      durationSeconds: limit ? String(limit.duration / 1000) : '60',
      credits: current.credits ? String(current.credits.remaining) : '',
      maxKeysPerConsumer: String(current.maxKeysPerConsumer),
    },
  });
  const submit = handleSubmit(async (form) => {
    try {
      await api('PUT', `/v1/apis/${target.id}/portal-policy`, {
        enabled: form.enabled,
        allowCreate: form.allowCreate,
        allowRoll: form.allowRoll,
        allowRevoke: form.allowRevoke,
        permissions: splitList(form.permissions),
        ratelimits:
          form.limit.trim() === ''
            ? []
            : [
                {
                  name: 'requests',
                  limit: Number(form.limit),
                  duration: Number(form.durationSeconds) * 1000,
                },
              ],
        credits: form.credits.trim() === '' ? null : { remaining: Number(form.credits) },
        maxKeysPerConsumer: Number(form.maxKeysPerConsumer),
      });
      await refresh(`/v1/apis/${target.id}/portal-policy`);
      onClose();
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  return (
    <Dialog
      title={`Portal policy: ${target.name}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="policy"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Save policy
          </button>
        </>
      }
    >
      <form id="policy" onSubmit={submit} noValidate>
        <label className="field field-inline">
          <input type="checkbox" {...register('enabled')} /> <span>Show this API in the customer portal</span>
        </label>
        <fieldset className="field">
          <legend>Customers may</legend>
          <label className="field-inline">
            <input type="checkbox" {...register('allowCreate')} /> create keys
          </label>
          <label className="field-inline">
            <input type="checkbox" {...register('allowRoll')} /> roll their keys
          </label>
          <label className="field-inline">
            <input type="checkbox" {...register('allowRevoke')} /> revoke their keys
          </label>
        </fieldset>
        <label className="field">
          <span>Permissions customers may give their keys</span>
          <input {...register('permissions')} placeholder="sessions:read, sessions:write" />
        </label>
        <div className="toolbar">
          <label className="field">
            <span>Rate limit (requests)</span>
            <input type="number" min="1" {...register('limit')} placeholder="none" />
          </label>
          <label className="field">
            <span>per (seconds)</span>
            <input type="number" min="1" {...register('durationSeconds')} />
          </label>
          <label className="field">
            <span>Starting credits</span>
            <input type="number" min="0" {...register('credits')} placeholder="unlimited" />
          </label>
          <label className="field">
            <span>Most keys per customer</span>
            <input type="number" min="1" max="100" {...register('maxKeysPerConsumer')} />
          </label>
        </div>
        {error === null ? null : (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}

/** The APIs of the workspace, each with its key prefix and its portal policy. */
export function ApisPage() {
  const { data: session } = useSession();
  const apis = useGet<ApiPage>('/v1/apis?limit=100');
  const [creating, setCreating] = useState(false);
  const [policyOf, setPolicyOf] = useState<ApiView | null>(null);
  const [lifetimeOf, setLifetimeOf] = useState<ApiView | null>(null);
  const canWrite = allows(session, 'apis:write');
  return (
    <>
      <PageHead
        title="APIs"
        intro="Each API has its own key prefix and its own portal policy."
        actions={
          canWrite ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create API
            </button>
          ) : undefined
        }
      />
      <div className="card">
        <Loaded query={apis}>
          {(page) => (
            <Table
              label="APIs"
              rows={page.items}
              columns={[
                { header: 'Name', cell: (a) => a.name },
                { header: 'Prefix', cell: (a) => <code>{a.prefix}_…</code> },
                { header: 'Id', cell: (a) => <span className="mono">{a.id}</span> },
                { header: 'Created', cell: (a) => formatTime(a.createdAt) },
                {
                  header: 'Key lifetime',
                  cell: (a) =>
                    canWrite ? (
                      <button type="button" className="button button-small" onClick={() => setLifetimeOf(a)}>
                        Lifetime policy
                      </button>
                    ) : (
                      '—'
                    ),
                },
                {
                  header: 'Portal',
                  cell: (a) =>
                    canWrite ? (
                      <button type="button" className="button button-small" onClick={() => setPolicyOf(a)}>
                        Portal policy
                      </button>
                    ) : (
                      '—'
                    ),
                },
              ]}
            />
          )}
        </Loaded>
      </div>
      {creating ? <CreateApiDialog onClose={() => setCreating(false)} /> : null}
      {policyOf === null ? null : <PolicyDialog target={policyOf} onClose={() => setPolicyOf(null)} />}
      {lifetimeOf === null ? null : (
        <LifetimePolicyDialog target={lifetimeOf} onClose={() => setLifetimeOf(null)} />
      )}
    </>
  );
}
