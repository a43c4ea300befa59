/** The replay's closing summary: what was read, what was left out and why, and what the guard decided. */
import type { ReplaySummary } from '../replay/replay.js';

export interface SummaryContext {
  readonly keys: number;
  readonly now: Date;
  /** The table the history was kept in, when the user named one. */
  readonly table?: string | undefined;
}

const count = (value: number, one: string, many = `${one}s`): string => `${value.toLocaleString('en-US')} ${value === 1 ? one : many}`;

export const summaryText = (summary: ReplaySummary, context: SummaryContext): string => {
  const { skipped } = summary;
  const skippedTotal = skipped['not-kms'] + skipped['cloudtrail-digest'] + skipped['cloudtrail-insight'];
  const skippedWhy = [
    skipped['not-kms'] > 0 ? `${skipped['not-kms'].toLocaleString('en-US')} not KMS` : undefined,
    skipped['cloudtrail-digest'] > 0 ? count(skipped['cloudtrail-digest'], 'CloudTrail digest file') : undefined,
    skipped['cloudtrail-insight'] > 0 ? count(skipped['cloudtrail-insight'], 'CloudTrail Insights event') : undefined,
  ].filter((part) => part !== undefined);
  const lines = [
    `Read ${count(summary.records, 'record')} from ${count(summary.files, 'file')}:`,
    `  ${count(summary.events, 'KMS event')} replayed (${count(summary.duplicates, 'duplicate')}, counted once)`,
    `  ${skippedTotal.toLocaleString('en-US')} skipped${skippedWhy.length === 0 ? '' : ` (${skippedWhy.join(', ')})`}`,
    `  ${summary.rejected.toLocaleString('en-US')} rejected${summary.rejected === 0 ? '' : ' (each named above)'}`,
  ];
  if (summary.unresolvedKeys > 0) lines.push(`  ${count(summary.unresolvedKeys, 'event')} naming no key the guard can resolve (each named above): they record no use`);
  if (summary.afterNow > 0) {
    lines.push(`  ${count(summary.afterNow, 'event')} after --now ${context.now.toISOString()} left out (the latest ${summary.latestAfterNow ?? '?'})`);
  }
  if (summary.failed > 0) lines.push(`  ${count(summary.failed, 'event')} the guard could not handle (each named above)`);
  lines.push(
    `${count(summary.decisions.length, 'decision')} (dry run: nothing was changed in AWS), ${count(context.keys, 'key')}, ${count(summary.writes, 'store write')}` +
      (context.table === undefined ? '' : `; the history is in table ${context.table}`),
  );
  return lines.join('\n');
};
