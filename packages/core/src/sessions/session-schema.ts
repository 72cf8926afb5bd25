/**
 * Row shapes of the session tables (migration `0007_sessions`), with the conventions of
 * `store/schema.ts`: epoch ms in 64-bit integers, JSON as text, bytewise ids and digests.
 * Every `digest` is the SHA-256 (hex) of a token; the token itself is never stored.
 */

type Int8 = number | string;

export interface DashboardSessionRow {
  id: string;
  digest: string;
  workspace_id: string;
  root_key_id: string;
  /** The root key's digest at sign-in: a roll changes it, which ends the session. */
  root_key_digest: string;
  ip: string | null;
  created_at: Int8;
  last_seen_at: Int8;
  expires_at: Int8;
  ended_at: Int8 | null;
  end_reason: string | null;
}

export interface PortalTokenRow {
  digest: string;
  workspace_id: string;
  consumer_id: string;
  return_url: string | null;
  session_ttl_ms: Int8;
  created_by: string;
  created_at: Int8;
  expires_at: Int8;
  used_at: Int8 | null;
}

export interface PortalSessionRow {
  id: string;
  digest: string;
  workspace_id: string;
  consumer_id: string;
  return_url: string | null;
  created_at: Int8;
  expires_at: Int8;
  ended_at: Int8 | null;
}

export interface PortalPolicyRow {
  workspace_id: string;
  api_id: string;
  /** JSON `PortalPolicySettings`. */
  policy: string;
  updated_at: Int8;
}

export interface PortalBrandingRow {
  workspace_id: string;
  /** JSON `PortalBrandingSettings`. */
  branding: string;
  updated_at: Int8;
}

export interface SessionDatabase {
  dashboard_sessions: DashboardSessionRow;
  portal_tokens: PortalTokenRow;
  portal_sessions: PortalSessionRow;
  portal_policies: PortalPolicyRow;
  portal_branding: PortalBrandingRow;
}
