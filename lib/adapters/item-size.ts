/**
 * An item's size as DynamoDB counts it against its 400 KB limit ("DynamoDB item sizes and formats"): the UTF-8
 * bytes of every attribute name plus its value: strings by their UTF-8 bytes, numbers 1 byte per two significant
 * digits plus 1, booleans and null 1 byte, lists and maps 3 bytes plus 1 per element plus their elements (a map's
 * element names count as attribute names). Items are the document client's plain objects (undefined dropped).
 */

/** DynamoDB's maximum item size: 400 KB, names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;

export const itemSize = (item: Readonly<Record<string, unknown>>): number => {
  let size = 0;
  for (const name in item) {
    const value = item[name];
    if (value !== undefined) size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
};

const valueSize = (value: unknown): number => {
  switch (typeof value) {
    case 'string':
      return utf8Length(value);
    case 'number':
    case 'bigint':
      return numberSize(value);
    case 'boolean':
      return 1;
    case 'object':
      if (value === null) return 1;
      if (value instanceof Uint8Array) return value.byteLength;
      if (value instanceof Set) return setSize(value);
      if (Array.isArray(value)) {
        let size = 3;
        for (const element of value) size += 1 + (element === undefined ? 1 : valueSize(element));
        return size;
      }
      return 3 + mapElements(value as Record<string, unknown>);
    default:
      return 0;
  }
};

const mapElements = (map: Record<string, unknown>): number => {
  let size = 0;
  for (const name in map) {
    const value = map[name];
    if (value !== undefined) size += 1 + utf8Length(name) + valueSize(value);
  }
  return size;
};

/** Sets are written as SS/NS/BS: the sum of their members. */
const setSize = (set: ReadonlySet<unknown>): number => {
  let size = 0;
  for (const member of set) size += valueSize(member);
  return size;
};

/** ASCII strings (almost all of ours) need no encoding to be counted. */
const utf8Length = (text: string): number => {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) > 0x7f) return Buffer.byteLength(text, 'utf8');
  }
  return text.length;
};

const numberSize = (value: number | bigint): number => {
  const digits = significantDigits(value);
  return Math.ceil(digits / 2) + 1;
};

/** Leading and trailing zeroes are trimmed; DynamoDB keeps up to 38 significant digits. */
const significantDigits = (value: number | bigint): number => {
  const text = typeof value === 'bigint' ? value.toString() : exactDecimal(value);
  const trimmed = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, trimmed.length);
};

/** The decimal digits the SDK sends: String(n), with exponents written out. */
const exactDecimal = (value: number): string => {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = '0', exponent = '0'] = text.toLowerCase().split('e');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const shift = Number(exponent) - (mantissa.replace(/^-/, '').split('.')[0]?.length ?? 1);
  return shift >= 0 ? `${digits}${'0'.repeat(shift)}` : `0.${'0'.repeat(-shift - digits.length)}${digits}`;
};
