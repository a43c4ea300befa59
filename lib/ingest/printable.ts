/**
 * Text safe to show on a terminal or in a one-line diagnostic: control characters and line breaks (which binary or
 * hostile input puts into JSON.parse's message) become \u escapes, so input can never move the cursor, recolour
 * the terminal or start a fake line.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

export const printable = (text: string): string =>
  text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
