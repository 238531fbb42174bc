/**
 * Every number a person reads, one way: "1,177", in the wizard, the commands' output and the
 * errors alike. Fractions are words ("600 of 1,177"): a bare "1177/1177" beside "1,177" reads as
 * two different tools, and "2,054/1,177" as a failure.
 */
export const count = (value: number): string => value.toLocaleString('en-US');

/** "1 collection", "3 collections": never "collection(s)". */
export function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${value === 1 ? one : many}`;
}

/** "600 of 1,177". */
export function fraction(done: number, total: number): string {
  return `${count(done)} of ${count(total)}`;
}

/**
 * A word to paste into a shell: as it is when it is safe there, else single-quoted (a path with a
 * space). A value holding a control or invisible character (a newline, ESC) is written in bash's
 * $'…' form with each such character escaped: printed raw inside '…', a newline split the command
 * in two on screen and an escape sequence could redraw it as another one.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  if (!HAS_UNSAFE_CHARACTER.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  return `$'${Array.from(value, ansiEscaped).join('')}'`;
}

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** One character inside $'…': a backslash and a quote escaped, an unsafe one by its code. */
function ansiEscaped(character: string): string {
  if (character === '\\' || character === "'") return `\\${character}`;
  if (!HAS_UNSAFE_CHARACTER.test(character)) return character;
  const named = NAMED_ESCAPES[character];
  if (named) return named;
  const code = character.codePointAt(0)!;
  const hex = code.toString(16);
  // \x gives a raw byte, so only below 0x80; \u and \U give the character in UTF-8.
  return code < 0x80 ? `\\x${hex.padStart(2, '0')}` : code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}

/**
 * Characters that move, hide or fake text on a terminal: controls (C0 with \n and ESC, DEL, C1),
 * format characters (bidi controls, zero-width characters, soft hyphen, tag characters), line and
 * paragraph separators, lone surrogate halves, and the spaces that look like a plain one.
 */
const UNSAFE = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
// ", " too: ids are listed with it between them, and "a, b" would read as two.
const HAS_UNSAFE = new RegExp(`[${UNSAFE}]|^\\s|\\s$|, `, 'u');
const EACH_UNSAFE = new RegExp(`[${UNSAFE}]`, 'gu');
const HAS_UNSAFE_CHARACTER = new RegExp(`[${UNSAFE}]`, 'u');
/** In a value not in NFC the combining marks too: "e\u0301" then reads apart from "é". */
const EACH_UNSAFE_OR_MARK = new RegExp(`[${UNSAFE}\\p{M}]`, 'gu');

/**
 * A value from the data (an id, a collection name, a metadata key) as a person may read it in a
 * line of output: as it is when plainly printable, so everyday output is unchanged; else quoted,
 * with escapes, as JSON writes strings. Printed raw, an id could forge a line ("\n✓ all equal"),
 * move the cursor with escape codes, or look the same as another id ("a" and "a "). A value that
 * begins with a quote is quoted too, so it cannot pass for another one shown escaped.
 */
export function shown(value: string): string {
  const plain = value !== '' && !value.startsWith('"') && !HAS_UNSAFE.test(value) && value.normalize('NFC') === value;
  return plain ? value : inQuotes(value);
}

/** Free text from elsewhere (a server's error answer) with each character that moves, hides or fakes text escaped. */
export function printable(text: string): string {
  return text.replace(EACH_UNSAFE, escapedCharacter);
}

const escapedCharacter = (character: string) => Array.from({ length: character.length }, (_, index) => `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`).join('');

/** The value in double quotes, escaped as in `shown`, for words that quote it anyway: `record "abc"`. */
export function inQuotes(value: string): string {
  const each = value.normalize('NFC') === value ? EACH_UNSAFE : EACH_UNSAFE_OR_MARK;
  return JSON.stringify(value).replace(each, escapedCharacter);
}
