/**
 * How python-dotenv 1.x (dotenv_values, load_dotenv: what Python apps read .env with) reads the
 * value of one `KEY=…` entry, ported from its parser.py so that a value is only written in a
 * spelling a Python app reads back exactly. Its rules differ from Node's dotenv: backticks are no
 * quotes, single and double quotes have escapes (\\ and \' in single, \\ \' \" \a \b \f \n \r \t
 * \v in double), an unquoted value runs to the line end less a ` #` comment, and ${NAME} is
 * replaced in every value, quoted or not.
 */

/** Python's str.isspace(), which its `\s` and rstrip() use: Node's `\s` differs (\x1c–\x1f, \x85, \ufeff). */
const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const SINGLE = /^'((?:\\'|[^'])*)'/;
const DOUBLE = /^"((?:\\"|[^"])*)"/;
/** What may follow a closing quote on its line: spaces, then an optional comment. */
const AFTER_QUOTE = /^[^\S\r\n]*(?:#[^\n]*)?$/;
const SINGLE_ESCAPES = /\\[\\']/g;
const DOUBLE_ESCAPES = /\\[\\'"abfnrtv]/g;
const ESCAPED: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** python-dotenv's ${NAME} and ${NAME:-default}, expanded by default (interpolate=True). */
export const PYTHON_EXPANSION = /\$\{[^}:]*(?::-[^}]*)?\}/;

/**
 * The value python-dotenv reads from `KEY=<written>`, before any ${…} expansion, or undefined when
 * it would not read that line as one entry (it skips such a line with a warning).
 */
export function pythonDotenvValue(written: string): string | undefined {
  // Python opens the file with universal newlines: \r\n and a lone \r both arrive as \n.
  const text = written.replace(/\r\n?/g, '\n');
  const quote = text[0];
  if (quote === "'" || quote === '"') {
    const match = (quote === "'" ? SINGLE : DOUBLE).exec(text);
    if (!match || !AFTER_QUOTE.test(text.slice(match[0].length))) return undefined;
    const inner = match[1] ?? '';
    return quote === "'" ? inner.replace(SINGLE_ESCAPES, (escape) => escape.slice(1)) : inner.replace(DOUBLE_ESCAPES, (escape) => ESCAPED[escape.slice(1)] ?? escape.slice(1));
  }
  if (text.includes('\n')) return undefined;
  return text.replace(new RegExp(`${PY_SPACE}+#[^\\n]*`), '').replace(new RegExp(`${PY_SPACE}+$`), '');
}
