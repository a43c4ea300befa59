/**
 * Text safety for Slack mrkdwn. Everything that came from an event (ARNs, principals, user agents,
 * encryption context, evidence) passes through `mrkdwn` before it is put in a message, so that
 * `<!channel>`, `<@U123>` or `<https://evil|click>` stay literal text and cannot ping or link.
 */

/** Slack's documented limits for the blocks we use. */
export const SLACK_LIMITS = {
  sectionText: 3000,
  sectionField: 2000,
  headerText: 150,
  contextElement: 2000,
  fallbackText: 3000,
  blocks: 50,
} as const;

/** Free text (user agents, encryption-context values, error messages) is cut to this many characters first. */
export const FREE_TEXT_MAX = 200;

/**
 * Free text for mrkdwn. Escapes the three characters Slack requires (&, <, >). Slack has no escape for
 * formatting marks, so * ~ ` become look-alikes (∗ ∼ ˋ) and an underscore at a word edge becomes ＿;
 * mid-word underscores (role names such as AWSReservedSSO_Admin_1) are inert and kept. Newlines become
 * spaces: one value, one line.
 */
export const mrkdwn = (value: unknown, max = FREE_TEXT_MAX): string =>
  escapeEntities(flatten(value, max))
    .replace(/\*/g, '\u2217')
    .replace(/~/g, '\u223c')
    .replace(/`/g, '\u02cb')
    .replace(/(^|[^A-Za-z0-9])_|_(?=$|[^A-Za-z0-9])/g, (match) => match.replace('_', '\uff3f'));

/**
 * An identifier (ARN, principal, id, user agent) as an inline code span: formatting marks are literal
 * inside it, but entities are still parsed, so &, <, > are escaped and a backtick (which would close the
 * span) becomes ˋ.
 */
export const code = (value: unknown, max = FREE_TEXT_MAX): string =>
  `\`${escapeEntities(flatten(value, max)).replace(/`/g, '\u02cb')}\``;

const escapeEntities = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const flatten = (value: unknown, max: number): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return truncate(text.replace(/[\r\n\t]+/g, ' '), max);
};

/** Plain text (headers): no entity parsing happens there, but length and newlines still matter. */
export const plain = (value: string, max: number): string => truncate(value.replace(/[\r\n\t]+/g, ' '), max);

/** Cuts to `max` characters, marking the cut with an ellipsis. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;

/**
 * A link whose URL we built (console links). The label is escaped; the URL may not contain `|` or `>`,
 * which would end the link early, so they are percent-encoded.
 */
export const link = (url: string, label: string): string =>
  `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${mrkdwn(label)}>`;

/** Joins lines into a section text, dropping whole lines past the limit rather than cutting an entity in half. */
export const joinWithin = (lines: readonly string[], max: number = SLACK_LIMITS.sectionText): string => {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    const added = line.length + (kept.length === 0 ? 0 : 1);
    if (length + added > max - 2) {
      kept.push('…');
      break;
    }
    kept.push(line);
    length += added;
  }
  return kept.join('\n');
};
