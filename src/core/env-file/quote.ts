import { parse } from 'dotenv';
import { MigrateError } from '../util/errors.js';

const KEY = /^[\w.-]+$/;

/** Plain characters that read the same in dotenv, shells and docker compose, so need no quotes. */
const PLAIN = /^[A-Za-z0-9_./:@+,~%^-]+$/;

const QUOTES = ['"', "'", '`'];

export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new MigrateError('BAD_INPUT', `"${key}" is not a variable name dotenv can read.`, 'Use letters, digits, "_", "." and "-" only.');
}

/**
 * The spelling of `value` that dotenv.parse reads back exactly. dotenv has no escapes except \n and
 * \r inside double quotes, so each quote style has values it cannot hold; we try them in turn and
 * let dotenv itself judge each candidate. Single quotes come first for `$` so that shells and
 * dotenv-expand leave the value alone.
 */
export function encodeValue(value: string): string {
  for (const candidate of candidates(value)) {
    if (candidate !== undefined && parse(`K=${candidate}`).K === value) return candidate;
  }
  throw new MigrateError(
    'BAD_INPUT',
    'A value cannot be written to a .env file so that dotenv reads it back unchanged: it needs quotes (a line break, "#", a leading quote or edge spaces), and dotenv has no escape for the quote characters or the final backslash it also holds.',
    'Use a value without that combination of characters.',
  );
}

function candidates(value: string): (string | undefined)[] {
  if (value === '') return ['""'];
  if (PLAIN.test(value)) return [value];
  const double = doubleQuoted(value);
  const single = literalQuoted(value, "'");
  const backtick = literalQuoted(value, '`');
  const ordered = value.includes('$') ? [single, double, backtick] : [double, single, backtick];
  return [...ordered, looseUnquoted(value)];
}

function doubleQuoted(value: string): string | undefined {
  // dotenv turns a literal \n or \r sequence into a line break and keeps \" as two characters.
  if (value.includes('"') || /\\[nr]/.test(value) || value.endsWith('\\')) return undefined;
  return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** No escapes at all: line breaks are written as they are (a lone \r would read back as \n). */
function literalQuoted(value: string, quote: string): string | undefined {
  // A closing quote right after a backslash counts as escaped, and dotenv would look for a later one.
  if (value.includes(quote) || value.includes('\r') || value.endsWith('\\')) return undefined;
  return `${quote}${value}${quote}`;
}

/** Last resort: dotenv reads an unquoted value up to `#` or the line end and trims it. */
function looseUnquoted(value: string): string | undefined {
  if (/[#\r\n]/.test(value) || value.trim() !== value || QUOTES.includes(value[0] ?? '')) return undefined;
  return value;
}
