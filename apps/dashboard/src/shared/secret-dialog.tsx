import { useState } from 'react';
import { Dialog } from './dialog.js';

export interface SecretDialogProps {
  title: string;
  /** The plaintext, shown here once: the caller drops it when `onClose` runs. */
  secret: string;
  /** What the secret is for, one sentence. */
  description?: string;
  onClose: () => void;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows a new key (or secret) exactly once: a warning that it cannot be shown again, a
 * copy button, and a close button the user must press after storing it. The secret lives
 * only in the caller's state for as long as this dialog is open.
 */
export function SecretDialog({ title, secret, description, onClose }: SecretDialogProps) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <Dialog
      title={title}
      onClose={onClose}
      actions={
        <>
          <button
            type="button"
            className="button"
            onClick={() => {
              void copy(secret).then((ok) => setCopied(ok ? 'copied' : 'failed'));
            }}
          >
            {copied === 'copied' ? 'Copied' : 'Copy'}
          </button>
          <button type="button" className="button button-primary" onClick={onClose}>
            I have stored it
          </button>
        </>
      }
    >
      <p className="warning" role="alert">
        Copy it now: it will not be shown again. Store it like a password; anyone holding it can call the API
        as you.
      </p>
      {description === undefined ? null : <p>{description}</p>}
      <label className="field">
        <span>Secret</span>
        <input
          className="secret"
          readOnly
          value={secret}
          aria-label="The new secret"
          onFocus={(event) => event.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
      </label>
      <p className="status" aria-live="polite">
        {copied === 'copied'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copy failed: select it and copy by hand.'
            : ''}
      </p>
    </Dialog>
  );
}
