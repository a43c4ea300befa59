/**
 * Decision ids of the deletion guard. Each is the idempotency key of its claim. A dry-run decision has its own
 * id: it must not stand in for the real one once enforcement is switched on (the sweep would take "already
 * decided" for "already cancelled", and the key would be deleted on its date).
 */
import type { Scheduling } from './evidence.js';

const mode = (dryRun: boolean): string => (dryRun ? '#dry-run' : '');

/** The scheduling itself: keyed on the ScheduleKeyDeletion's CloudTrail eventID. */
export const scheduleDecisionId = (eventId: string, dryRun: boolean): string => `${eventId}${mode(dryRun)}`;

const schedulingKey = (scheduling: Scheduling | undefined): string =>
  scheduling?.eventId ?? scheduling?.scheduledAt ?? scheduling?.deletionDate ?? 'unknown';

/** One decision per scheduling for the failures it causes: a workload hammering the key cancels once. */
export const pendingUseDecisionId = (keyArn: string, scheduling: Scheduling | undefined, dryRun: boolean): string =>
  `pending-use#${keyArn}#${schedulingKey(scheduling)}${mode(dryRun)}`;

/** The sweep's decision on a scheduling: a new one only when the verdict changes. */
export const sweepDecisionId = (keyArn: string, scheduling: Scheduling | undefined, action: string, dryRun: boolean): string =>
  `sweep#${keyArn}#${scheduling?.scheduledAt ?? scheduling?.deletionDate ?? 'unknown'}#${action}${mode(dryRun)}`;

/** One reminder per threshold and deletion date. */
export const reminderDecisionId = (keyArn: string, deletionDate: string, thresholdDays: number, dryRun: boolean): string =>
  `reminder#${keyArn}#${deletionDate}#${thresholdDays}${mode(dryRun)}`;
