import type { ApiView, LifetimePolicyBody, LifetimePolicyView } from '@keyward/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError, api, errorText } from '../../shared/api.js';
import { Dialog } from '../../shared/dialog.js';
import { useRefresh } from '../hooks.js';
import { Loaded } from '../ui.js';

interface LifetimeForm {
  maxTtlDays: string;
  rotateAfterDays: string;
  rotationGraceDays: string;
  idleDisableAfterDays: string;
  remindBeforeDays: string;
  dryRun: boolean;
}

const text = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);
/** An empty field is "no rule". */
const daysOrNull = (value: string) => (value.trim() === '' ? null : Number(value));

/** The policy body of the form: empty fields clear their rule (docs/lifetime-policies.md). */
export function lifetimeBodyOf(form: LifetimeForm): LifetimePolicyBody {
  return {
    maxTtlDays: daysOrNull(form.maxTtlDays),
    rotateAfterDays: daysOrNull(form.rotateAfterDays),
    rotationGraceDays: Number(form.rotationGraceDays || '0'),
    idleDisableAfterDays: daysOrNull(form.idleDisableAfterDays),
    remindBeforeDays: Number(form.remindBeforeDays || '0'),
    mode: form.dryRun ? 'dry-run' : 'enforce',
  };
}

/** The key lifetime policy of one API; null when it has none (404). */
function useLifetimePolicy(apiId: string) {
  const path = `/v1/apis/${apiId}/policies/lifetime`;
  return useQuery<LifetimePolicyView | null>({
    queryKey: [path],
    queryFn: async ({ signal }) => {
      try {
        return await api<LifetimePolicyView>('GET', path, undefined, signal);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Max TTL, forced rotation, idle keys and reminders of one API's keys. */
export function LifetimePolicyDialog({ target, onClose }: { target: ApiView; onClose: () => void }) {
  const policy = useLifetimePolicy(target.id);
  const refresh = useRefresh();
  const path = `/v1/apis/${target.id}/policies/lifetime`;
  return (
    // No policy yet (null) is loaded too: the form starts empty.
    <Loaded
      query={{
        data: policy.data === undefined ? undefined : { current: policy.data },
        error: policy.error,
        isPending: policy.isPending,
      }}
    >
      {({ current }) => (
        <LifetimePolicyForm
          target={target}
          current={current}
          onClose={onClose}
          onSave={async (body) => {
            await api('PUT', path, body);
            await refresh(path);
          }}
        />
      )}
    </Loaded>
  );
}

export function LifetimePolicyForm({
  target,
  current,
  onSave,
  onClose,
}: {
  target: ApiView;
  current: LifetimePolicyView | null;
  onSave: (body: LifetimePolicyBody) => Promise<void>;
  onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<LifetimeForm>({
    defaultValues: {
      maxTtlDays: text(current?.maxTtlDays),
      rotateAfterDays: text(current?.rotateAfterDays),
      rotationGraceDays: text(current?.rotationGraceDays ?? 0),
      idleDisableAfterDays: text(current?.idleDisableAfterDays),
      remindBeforeDays: text(current?.remindBeforeDays ?? 0),
      dryRun: current?.mode === 'dry-run',
    },
  });
  const submit = handleSubmit(async (form) => {
    try {
      await onSave(lifetimeBodyOf(form));
      onClose();
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  const days = (name: keyof Omit<LifetimeForm, 'dryRun'>, label: string, placeholder: string) => (
    <label className="field">
      <span>{label}</span>
      <input type="number" min="0" {...register(name)} placeholder={placeholder} />
    </label>
  );
  return (
    <Dialog
      title={`Key lifetime: ${target.name}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="lifetime"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Save policy
          </button>
        </>
      }
    >
      <form id="lifetime" onSubmit={submit} noValidate>
        <div className="toolbar">
          {days('maxTtlDays', 'Keys expire within (days)', 'no maximum')}
          {days('rotateAfterDays', 'Rotate secrets after (days)', 'never')}
          {days('rotationGraceDays', 'then disable after (days)', '0')}
        </div>
        <div className="toolbar">
          {days('idleDisableAfterDays', 'Disable keys unused for (days)', 'never')}
          {days('remindBeforeDays', 'Remind ahead (days)', '0')}
        </div>
        <label className="field field-inline">
          <input type="checkbox" {...register('dryRun')} />{' '}
          <span>Dry run: refuse and disable nothing, record what would be refused</span>
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
