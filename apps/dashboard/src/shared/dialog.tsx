import { type ReactNode, useEffect, useId, useRef } from 'react';

export interface DialogProps {
  title: string;
  /** Called when the dialog asks to close (Escape, the close button). */
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom. */
  actions?: ReactNode;
  /** `danger` frames the dialog in red (revoke, delete). */
  tone?: 'default' | 'danger';
}

/**
 * A modal on the native `<dialog>`: `showModal()` traps focus inside, makes the page
 * behind it inert, and closes on Escape, so keyboard-only use works without a library.
 * Focus returns to what had it before the dialog opened.
 */
export function Dialog({ title, onClose, children, actions, tone = 'default' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      previous?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={`dialog dialog-${tone}`} aria-labelledby={titleId}>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
      </header>
      <div className="dialog-body">{children}</div>
      {actions === undefined ? null : <footer className="dialog-actions">{actions}</footer>}
    </dialog>
  );
}
