import type { ConsumerPage, ConsumerView, PortalSessionLink } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'wouter';
import { api, errorText, query } from '../../shared/api.js';
import { Dialog } from '../../shared/dialog.js';
import { formatNumber, formatTime } from '../../shared/format.js';
import { SecretDialog } from '../../shared/secret-dialog.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Table } from '../ui.js';

interface ConsumerForm {
  externalId: string;
  name: string;
}

function CreateConsumerDialog({ onClose }: { onClose: () => void }) {
  const refresh = useRefresh();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<ConsumerForm>({
    defaultValues: { externalId: '', name: '' },
  });
  const submit = handleSubmit(async (form) => {
    try {
      await api('POST', '/v1/consumers', {
        externalId: form.externalId.trim(),
        ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
      });
      await refresh('/v1/consumers');
      onClose();
    } catch (failure) {
      setError(errorText(failure));
    }
  });
  return (
    <Dialog
      title="Add a consumer"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="create-consumer"
            className="button button-primary"
            disabled={formState.isSubmitting}
          >
            Add consumer
          </button>
        </>
      }
    >
      <form id="create-consumer" onSubmit={submit} noValidate>
        <label className="field">
          <span>External id</span>
          <input {...register('externalId', { required: 'Your id for this customer' })} placeholder="acme" />
          {formState.errors.externalId ? (
            <span className="field-error">{formState.errors.externalId.message}</span>
          ) : null}
        </label>
        <label className="field">
          <span>Name</span>
          <input {...register('name')} placeholder="Acme Corp." />
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

/** The workspace's customers; from here a provider opens a customer's portal (a single-use link). */
export function ConsumersPage() {
  const { data: session } = useSession();
  const [cursors, setCursors] = useState<string[]>([]);
  const consumers = useGet<ConsumerPage>(`/v1/consumers${query({ limit: 50, cursor: cursors.at(-1) })}`, {
    keepPrevious: true,
  });
  const [creating, setCreating] = useState(false);
  const [link, setLink] = useState<PortalSessionLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  const openPortal = async (consumer: ConsumerView) => {
    setError(null);
    try {
      setLink(
        await api<PortalSessionLink>('POST', '/v1/portal/sessions', { externalId: consumer.externalId }),
      );
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <>
      <PageHead
        title="Consumers"
        intro="Your customers, by your own id. Their keys, limits and credits can be shared."
        actions={
          allows(session, 'consumers:write') ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Add consumer
            </button>
          ) : undefined
        }
      />
      {error === null ? null : (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="card">
        <Loaded query={consumers}>
          {(page) => (
            <Table
              label="Consumers"
              rows={page.items}
              columns={[
                { header: 'External id', cell: (c) => <span className="mono">{c.externalId}</span> },
                { header: 'Name', cell: (c) => c.name ?? '—' },
                {
                  header: 'Credits',
                  cell: (c) => (c.credits === null ? 'per key' : formatNumber(c.credits.remaining)),
                },
                { header: 'Created', cell: (c) => formatTime(c.createdAt) },
                {
                  header: 'Actions',
                  cell: (c) => (
                    <span className="actions">
                      <Link href={`/keys?consumer=${encodeURIComponent(c.externalId)}`}>Keys</Link>
                      {allows(session, 'keys:write') ? (
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => void openPortal(c)}
                        >
                          Portal link
                        </button>
                      ) : null}
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </button>
          <button
            type="button"
            className="button"
            disabled={!consumers.data?.nextCursor}
            onClick={() => {
              const next = consumers.data?.nextCursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Next
          </button>
        </nav>
      </div>
      {creating ? <CreateConsumerDialog onClose={() => setCreating(false)} /> : null}
      {link === null ? null : (
        <SecretDialog
          title="Portal link"
          secret={link.url}
          description={`It opens the customer's portal once, until ${formatTime(link.expiresAt)}. Your backend normally makes these (POST /v1/portal/sessions) and redirects the customer.`}
          onClose={() => setLink(null)}
        />
      )}
    </>
  );
}
