// @vitest-environment happy-dom
import type { ApiView, LifetimePolicyBody } from '@keyward/protocol';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LifetimePolicyForm } from './lifetime-policy-dialog.js';

afterEach(cleanup);

const target: ApiView = {
  id: 'api_1',
  name: 'Charging',
  prefix: 'amp',
  keyPattern: '^amp_[0-9A-Za-z]{36}$',
  createdAt: 0,
  updatedAt: 0,
};

describe('LifetimePolicyForm', () => {
  it('starts empty without a policy and saves the fields given, empty ones as no rule', async () => {
    const saved: LifetimePolicyBody[] = [];
    const onClose = vi.fn();
    render(
      <LifetimePolicyForm
        target={target}
        current={null}
        onClose={onClose}
        onSave={async (body) => {
          saved.push(body);
        }}
      />,
    );
    const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
    expect(input('Keys expire within (days)').value).toBe('');
    fireEvent.change(input('Keys expire within (days)'), { target: { value: '90' } });
    fireEvent.change(input('Rotate secrets after (days)'), { target: { value: '30' } });
    fireEvent.change(input('then disable after (days)'), { target: { value: '7' } });
    fireEvent.click(screen.getByLabelText(/Dry run/));
    await act(async () => {
      fireEvent.click(screen.getByText('Save policy'));
    });
    expect(saved).toEqual([
      {
        maxTtlDays: 90,
        rotateAfterDays: 30,
        rotationGraceDays: 7,
        idleDisableAfterDays: null,
        remindBeforeDays: 0,
        mode: 'dry-run',
      },
    ]);
    expect(onClose).toHaveBeenCalled();
  });

  it('shows the refusal of the server and stays open', async () => {
    const onClose = vi.fn();
    render(
      <LifetimePolicyForm
        target={target}
        current={{
          apiId: 'api_1',
          maxTtlDays: 30,
          rotateAfterDays: null,
          rotationGraceDays: 0,
          idleDisableAfterDays: null,
          remindBeforeDays: 3,
          mode: 'enforce',
          createdAt: 0,
          updatedAt: 0,
        }}
        onClose={onClose}
        onSave={async () => {
          throw new Error('body.maxTtlDays must be >= 1');
        }}
      />,
    );
    expect((screen.getByLabelText('Keys expire within (days)') as HTMLInputElement).value).toBe('30');
    await act(async () => {
      fireEvent.click(screen.getByText('Save policy'));
    });
    expect(screen.getByRole('alert').textContent).toContain('maxTtlDays');
    expect(onClose).not.toHaveBeenCalled();
  });
});
