/**
 * Row shapes of the monitoring tables (migration `0004_monitoring`), with the conventions
 * of `store/schema.ts`: epoch ms in 64-bit integers, JSON as text, bytewise ids.
 */

export interface AlertRow {
  id: string;
  workspace_id: string;
  detector: string;
  subject_type: string;
  subject_id: string;
  severity: string;
  summary: string;
  /** JSON object. */
  evidence: string;
  status: string;
  /**
   * `<workspace>|<detector>|<subject type>|<subject id>` while the alert is active (open or
   * acknowledged), null once resolved: the unique index on it keeps one active alert per subject.
   */
  active_key: string | null;
  occurrences: number;
  quarantined_at: number | null;
  created_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
}

export interface MonitoringPolicyRow {
  workspace_id: string;
  /** JSON `MonitoringPolicy` (complete, as resolved when saved). */
  policy: string;
  updated_at: number;
}

/** When each periodic job last ran (any node): lets several nodes share one schedule. */
export interface JobRunRow {
  name: string;
  last_run_at: number;
}

export interface MonitoringDatabase {
  alerts: AlertRow;
  monitoring_policies: MonitoringPolicyRow;
  job_runs: JobRunRow;
}
