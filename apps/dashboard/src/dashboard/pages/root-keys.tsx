import type { IssuedRootKey, RootKeyPage, RootKeyView } from '@keyward/protocol';
import { useState } from 'react';
import { api } from '../../shared/api.js';
import { ConfirmDialog } from '../../shared/confirm-dialog.js';
import { formatTime } from '../../shared/format.js';
import { SecretDialog } from '../../shared/secret-dialog.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Pills, StatusBadge, Table } from '../ui.js';

const PRESETS: Array<[string, string[]]> = [
  ['Full access', ['*']],
  ['Verify only (for your backend)', ['keys:verify']],
  ['Read only', ['apis:read', 'consumers:read', 'keys:read', 'usage:read', 'audit:read', 'alerts:read']],
  ['Manage keys', ['keys:write', 'consumers:write', 'usage:read']],
];

/** Admin credentials of the workspace: issue one per service, revoke what leaked. */
export default function RootKeysPage() {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const rootKeys = useGet<RootKeyPage>('/v1/root-keys?limit=100');
  const [preset, setPreset] = useState(1);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<IssuedRootKey | null>(null);
  const [revoking, setRevoking] = useState<RootKeyView | null>(null);
  const canWrite = allows(session, 'root_keys:write');
  return (
    <>
      <PageHead
        title="Root keys"
        intro="Root keys manage this workspace. Give each service its own, with the fewest permissions it needs."
        actions={
          canWrite ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create root key
            </button>
          ) : undefined
        }
      />
      <div className="card">
        <Loaded query={rootKeys}>
          {(page) => (
            <Table
              label="Root keys"
              rows={page.items}
              columns={[
                { header: 'Name', cell: (k) => k.name ?? '—' },
                { header: 'Hint', cell: (k) => <span className="mono">{k.hint}</span> },
                { header: 'Permissions', cell: (k) => <Pills items={k.permissions} /> },
                {
                  header: 'State',
                  cell: (k) => <StatusBadge status={k.revokedAt === null ? 'active' : 'revoked'} />,
                },
                { header: 'Created', cell: (k) => formatTime(k.createdAt) },
                {
                  header: 'Actions',
                  cell: (k) =>
                    canWrite && k.revokedAt === null ? (
                      <button type="button" className="button button-small" onClick={() => setRevoking(k)}>
                        Revoke
                      </button>
                    ) : null,
                },
              ]}
            />
          )}
        </Loaded>
      </div>
      {creating ? (
        <ConfirmDialog
          title="Create a root key"
          confirmLabel="Create root key"
          tone="default"
          onClose={() => setCreating(false)}
          onConfirm={async () => {
            const permissions = PRESETS[preset]?.[1] ?? ['keys:verify'];
            const key = await api<IssuedRootKey>('POST', '/v1/root-keys', {
              permissions,
              ...(name.trim() === '' ? {} : { name: name.trim() }),
            });
            setCreating(false);
            setName('');
            setIssued(key);
            await refresh('/v1/root-keys');
          }}
        >
          <label className="field">
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="billing service" />
          </label>
          <label className="field">
            <span>Permissions</span>
            <select value={preset} onChange={(e) => setPreset(Number(e.target.value))}>
              {PRESETS.map(([label], i) => (
                <option key={label} value={i}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </ConfirmDialog>
      ) : null}
      {revoking === null ? null : (
        <ConfirmDialog
          title="Revoke this root key?"
          confirmLabel="Revoke root key"
          typeToConfirm="revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api('POST', `/v1/root-keys/${revoking.id}/revoke`);
            setRevoking(null);
            await refresh('/v1/root-keys');
          }}
        >
          <p>
            {revoking.hint} stops working at once, and every dashboard session signed in with it ends. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {issued === null ? null : (
        <SecretDialog title="Root key created" secret={issued.key} onClose={() => setIssued(null)} />
      )}
    </>
  );
}
