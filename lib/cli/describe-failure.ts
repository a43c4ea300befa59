/**
 * An error as one line for a person: its message, and the causes that say why (an SDK error's own message, a
 * network code with what it means), without class names or stack traces.
 */
import { printable } from '../ingest/printable.js';

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing is listening there',
  ENOTFOUND: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EAI_AGAIN: 'the host name could not be resolved right now',
};

export const describeFailure = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const text = describeOne(current);
    if (text !== '' && !parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return printable(parts.join(': ') || 'unknown error');
};

const describeOne = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const meaning = code === undefined ? undefined : NETWORK_CODES[code];
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeOne).join('; ');
  const message = error.message.trim();
  if (meaning !== undefined) return `${message || code} (${meaning})`;
  return message;
};
