// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './confirm-dialog.js';
import { SecretDialog } from './secret-dialog.js';

afterEach(cleanup);

const SECRET = 'amp_live_Ab3xkkkkkkkkkkkkkkkkkkkkkkkkkkkk9fQ2';

/** A page that holds an issued key in state only while the dialog is open, as the keys page does. */
function Issuer() {
  const [issued, setIssued] = useState<string | null>(null);
  return (
    <>
      <button type="button" onClick={() => setIssued(SECRET)}>
        Issue
      </button>
      {issued === null ? null : (
        <SecretDialog title="Key created" secret={issued} onClose={() => setIssued(null)} />
      )}
    </>
  );
}

describe('SecretDialog', () => {
  it('shows the secret once with a warning, copies it, and leaves no trace once closed', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { container } = render(<Issuer />);
    fireEvent.click(screen.getByText('Issue'));
    expect((screen.getByLabelText('The new secret') as HTMLInputElement).value).toBe(SECRET);
    expect(screen.getByRole('alert').textContent).toContain('will not be shown again');

    await act(async () => {
      fireEvent.click(screen.getByText('Copy'));
    });
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(screen.getByText('Copied to the clipboard.')).toBeDefined();

    fireEvent.click(screen.getByText('I have stored it'));
    expect(screen.queryByLabelText('The new secret')).toBeNull();
    expect(container.innerHTML).not.toContain(SECRET);
  });

  it('says so when the clipboard refuses', async () => {
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: async () => Promise.reject(new Error('denied')) },
      configurable: true,
    });
    render(<SecretDialog title="Key" secret={SECRET} onClose={() => {}} />);
    await act(async () => {
      fireEvent.click(screen.getByText('Copy'));
    });
    expect(screen.getByText(/Copy failed/)).toBeDefined();
  });
});

describe('ConfirmDialog', () => {
  it('keeps the action disabled until the confirmation is typed, then runs it once', async () => {
    const onConfirm = vi.fn(async () => {});
    render(
      <ConfirmDialog
        title="Revoke?"
        confirmLabel="Revoke key"
        typeToConfirm="revoke"
        onConfirm={onConfirm}
        onClose={() => {}}
      >
        <p>Gone for good.</p>
      </ConfirmDialog>,
    );
    const button = screen.getByText('Revoke key') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Type/), { target: { value: 'revok' } });
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Type/), { target: { value: 'revoke' } });
    expect(button.disabled).toBe(false);
    await act(async () => {
      fireEvent.click(button);
    });
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('shows a failure in the dialog and lets the user try again', async () => {
    const onConfirm = vi.fn(async () => {
      throw new Error('the key is already revoked');
    });
    const onClose = vi.fn();
    render(
      <ConfirmDialog title="Roll?" confirmLabel="Roll key" onConfirm={onConfirm} onClose={onClose}>
        <p>New secret.</p>
      </ConfirmDialog>,
    );
    await act(async () => {
      fireEvent.click(screen.getByText('Roll key'));
    });
    expect(screen.getByRole('alert').textContent).toBe('the key is already revoked');
    expect(onClose).not.toHaveBeenCalled();
    expect((screen.getByText('Roll key') as HTMLButtonElement).disabled).toBe(false);
  });
});
