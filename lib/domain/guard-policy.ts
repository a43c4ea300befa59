/** The tunable parts of the guard's policy. Defaults live in lib/config.ts (DEFAULT_POLICY). */
export interface GuardPolicy {
  /** Successful cryptographic use within this many days means the key is needed (rule recent-use). */
  readonly recentUseWindowDays: number;
  /** A key Disabled this long with no failed use may be deleted (rule disabled-without-failures). */
  readonly observationPeriodDays: number;
  /** Principals allowed to delete keys (e.g. the IaC deployment role): role ARNs, user ARNs or account roots. */
  readonly exemptPrincipals: readonly string[];
  /**
   * The exemption tag counts only when set at least this many hours before the scheduling, and by a principal other
   * than the one who schedules (rule exempt-tag; otherwise exempt-tag-ignored).
   */
  readonly exemptTagMinAgeHours: number;
  /** Grants older than this, with no probable use, are revoked (per key: tag kms-guard:grant-max-age-days). */
  readonly grantMaxAgeDays: number;
  /** "Probable use" of a grant is looked for in this many most recent days. */
  readonly grantRecentUseDays: number;
  /** Days before the deletion date at which the sweep sends a reminder. */
  readonly reminderDays: readonly number[];
  /**
   * Absence of use proves nothing unless read-only KMS events (the guard's own DescribeKey calls among them) have
   * arrived for the key's account and Region within this many hours (rule no-recorded-use; the heartbeat alarm).
   */
  readonly usageHeartbeatHours: number;
}
