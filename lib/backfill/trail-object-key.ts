/**
 * What an object of a CloudTrail bucket is, from its key alone:
 *   [prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz   a log file
 *   …/CloudTrail-Digest/…   a digest file          …/CloudTrail-Insight/…   an Insights file
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 */
export type TrailObjectKind = 'log' | 'digest' | 'insight' | 'other';

export interface TrailObjectKey {
  readonly kind: TrailObjectKind;
  readonly accountId?: string;
  readonly region?: string;
  /** The delivery day in the path, YYYY-MM-DD (UTC). */
  readonly day?: string;
}

const LAYOUT =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

const KINDS: Readonly<Record<string, TrailObjectKind>> = {
  CloudTrail: 'log',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
};

export const parseTrailObjectKey = (key: string): TrailObjectKey => {
  const match = LAYOUT.exec(key);
  if (match === null) return { kind: 'other' };
  const [, accountId, folder = '', region, year, month, day] = match;
  const kind = KINDS[folder] ?? 'other';
  const isLogFile = kind !== 'log' || /\.json(\.gz)?$/i.test(key);
  return { kind: isLogFile ? kind : 'other', accountId, region, day: `${year}-${month}-${day}` };
};

/** "111122223333/us-east-1": how results are grouped, and the unit coverage is claimed for. */
export const scopeOf = (accountId: string, region: string): string => `${accountId}/${region}`;

export const parseScope = (scope: string): { accountId: string; region: string } | undefined => {
  const [accountId, region, ...rest] = scope.split('/');
  return accountId === undefined || region === undefined || rest.length > 0 ? undefined : { accountId, region };
};

/**
 * A prefix at or above the Region folder (never inside the dates), so listing it finds every log file of a
 * day in the range: `…/`, `…/AWSLogs/`, `…/AWSLogs/o-…/`, `…/<account>/`, `…/CloudTrail/`, `…/<region>/`.
 */
export const isPrefixAboveDates = (prefix: string): boolean => {
  const at = prefix.lastIndexOf('AWSLogs/');
  if (at < 0) return !prefix.includes('AWSLogs') && (prefix === '' || prefix.endsWith('/'));
  const rest = prefix.slice(at + 'AWSLogs/'.length);
  return /^(?:o-[a-z0-9]{10,32}\/)?(?:\d{12}\/(?:CloudTrail\/(?:[a-z0-9-]+\/)?)?)?$/.test(rest);
};
