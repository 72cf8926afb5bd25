import type { PortalBrandingView } from '@keyward/protocol';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api, errorText } from '../../shared/api.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead } from '../ui.js';

interface BrandingForm {
  name: string;
  logoUrl: string;
  accentColor: string;
  apiBaseUrl: string;
}

function BrandingEditor({ current }: { current: PortalBrandingView }) {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { register, handleSubmit, formState } = useForm<BrandingForm>({
    defaultValues: {
      name: current.name ?? '',
      logoUrl: current.logoUrl ?? '',
      accentColor: current.accentColor ?? '',
      apiBaseUrl: current.apiBaseUrl ?? '',
    },
  });
  const submit = handleSubmit(async (form) => {
    try {
      await api('PUT', '/v1/portal/branding', {
        name: form.name.trim() === '' ? null : form.name.trim(),
        logoUrl: form.logoUrl.trim() === '' ? null : form.logoUrl.trim(),
        accentColor: form.accentColor.trim() === '' ? null : form.accentColor.trim(),
        apiBaseUrl: form.apiBaseUrl.trim() === '' ? null : form.apiBaseUrl.trim(),
      });
      setMessage({ ok: true, text: 'Saved.' });
      await refresh('/v1/portal/branding');
    } catch (failure) {
      setMessage({ ok: false, text: errorText(failure) });
    }
  });
  const canWrite = allows(session, 'apis:write');
  return (
    <form onSubmit={submit} noValidate>
      <label className="field">
        <span>Name shown to customers</span>
        <input {...register('name')} placeholder={session?.workspace.name ?? ''} disabled={!canWrite} />
      </label>
      <label className="field">
        <span>Logo URL (https)</span>
        <input
          {...register('logoUrl', { pattern: { value: /^https:\/\/\S+$/, message: 'An https:// URL' } })}
          placeholder="https://example.com/logo.svg"
          disabled={!canWrite}
        />
        {formState.errors.logoUrl ? (
          <span className="field-error">{formState.errors.logoUrl.message}</span>
        ) : null}
      </label>
      <label className="field">
        <span>Accent colour</span>
        <input
          {...register('accentColor', {
            pattern: {
              value: /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/,
              message: 'A hex colour such as #2457d6',
            },
          })}
          placeholder="#2457d6"
          disabled={!canWrite}
        />
        {formState.errors.accentColor ? (
          <span className="field-error">{formState.errors.accentColor.message}</span>
        ) : null}
      </label>
      <label className="field">
        <span>Your API's base URL</span>
        <input
          {...register('apiBaseUrl', {
            pattern: { value: /^https?:\/\/\S+$/, message: 'An http(s):// URL' },
          })}
          placeholder="https://api.example.com"
          disabled={!canWrite}
        />
        <small>Shown in the portal's curl example.</small>
        {formState.errors.apiBaseUrl ? (
          <span className="field-error">{formState.errors.apiBaseUrl.message}</span>
        ) : null}
      </label>
      {message === null ? null : (
        <p className={message.ok ? 'status' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {canWrite ? (
        <button type="submit" className="button button-primary" disabled={formState.isSubmitting}>
          Save branding
        </button>
      ) : null}
    </form>
  );
}

/** How the customer portal looks, and how a provider sends customers there. */
export default function PortalSettingsPage() {
  const branding = useGet<PortalBrandingView>('/v1/portal/branding');
  return (
    <>
      <PageHead
        title="Customer portal"
        intro="Your customers manage their own keys here, within each API's portal policy (set it on the APIs page)."
      />
      <div className="grid">
        <section className="card" aria-labelledby="branding">
          <h2 id="branding">Branding</h2>
          <Loaded query={branding}>{(current) => <BrandingEditor current={current} />}</Loaded>
        </section>
        <section className="card" aria-labelledby="how">
          <h2 id="how">Sending a customer to the portal</h2>
          <p>Your backend asks for a single-use link and redirects the signed-in customer to it:</p>
          <pre className="code">{`curl -s ${window.location.origin}/v1/portal/sessions \\
  -H "Authorization: Bearer $KEYWARD_ROOT_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{"externalId":"acme","returnUrl":"https://your.app/account"}'
# {"url":"${window.location.origin}/portal/#token=…","expiresAt":…}`}</pre>
          <p className="muted">Or use “Portal link” on the Consumers page.</p>
        </section>
      </div>
    </>
  );
}
