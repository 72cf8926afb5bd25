import { type ReactNode, useState } from 'react';
import { Dialog } from './dialog.js';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  /** The button's label, e.g. `Revoke key`. */
  confirmLabel: string;
  /** When set, the user must type this (a key's name or hint) before the button works. */
  typeToConfirm?: string;
  tone?: 'default' | 'danger';
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * Asks before an action that cannot be undone (revoke, roll, delete). While the action
 * runs the buttons are disabled; a failure is shown in the dialog and nothing closes.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, children, confirmLabel, typeToConfirm, tone = 'danger', onConfirm, onClose } = props;
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <Dialog
      title={title}
      tone={tone}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${tone === 'danger' ? 'button-danger' : 'button-primary'}`}
            disabled={!ready || busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              onConfirm().then(
                () => setBusy(false),
                (failure: unknown) => {
                  setBusy(false);
                  setError(failure instanceof Error ? failure.message : 'The action failed.');
                },
              );
            }}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {typeToConfirm === undefined ? null : (
        <label className="field">
          <span>
            Type <code>{typeToConfirm}</code> to confirm
          </span>
          <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
      )}
      {error === null ? null : (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
