import { parse } from 'dotenv';
import { MigrateError } from '../util/errors.js';
import { PYTHON_EXPANSION, pythonDotenvValue } from './python-dotenv.js';
import { inQuotes } from '../util/format.js';

const KEY = /^[\w.-]+$/;

/** Plain characters that read the same in dotenv, shells and docker compose, so need no quotes. */
const PLAIN = /^[A-Za-z0-9_./:@+,~%^-]+$/;

const QUOTES = ['"', "'", '`'];

export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new MigrateError('BAD_INPUT', `${inQuotes(key)} is not a variable name dotenv can read.`, 'Use letters, digits, "_", "." and "-" only.');
}

/**
 * The spelling of `value` that both Node's dotenv.parse and python-dotenv read back exactly: many
 * apps reading this file are Python. Each parser has its own escapes and quote kinds (Node's
 * backticks are plain characters to Python), so each quote style has values it cannot hold for
 * both; we try them in turn and let both parsers judge each candidate. Single quotes come first
 * for `$` so that shells and dotenv-expand leave the value alone.
 */
export function encodeValue(value: string, key = 'A value'): string {
  if (PYTHON_EXPANSION.test(value)) {
    throw new MigrateError(
      'BAD_INPUT',
      `${key} holds "\${…}", which python-dotenv (what Python apps read .env with) replaces by a variable's value whatever the quotes, so a Python app would not read it as written. Nothing was written.`,
      'Use a value without "${" (for a token, make a new one).',
    );
  }
  for (const candidate of candidates(value)) {
    if (candidate !== undefined && parse(`K=${candidate}`).K === value && pythonDotenvValue(candidate) === value) return candidate;
  }
  throw new MigrateError(
    'BAD_INPUT',
    `${key} cannot be written to a .env file so that both Node's dotenv and python-dotenv read it back unchanged: it needs quotes (it holds a line break or "#", starts with a quote or has spaces at its ends), and it holds characters no quote kind carries for both (both ' and ", or a backslash). Nothing was written.`,
    'Use a value without both quote kinds and without backslashes (for a token, make a new one).',
  );
}

function candidates(value: string): (string | undefined)[] {
  if (value === '') return ['""'];
  if (PLAIN.test(value)) return [value];
  const double = doubleQuoted(value);
  const single = singleQuoted(value);
  const ordered = value.includes('$') ? [single, double] : [double, single];
  return [...ordered, looseUnquoted(value)];
}

function doubleQuoted(value: string): string | undefined {
  // dotenv turns a literal \n or \r sequence into a line break and keeps \" as two characters.
  if (value.includes('"') || /\\[nr]/.test(value) || value.endsWith('\\')) return undefined;
  return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** Line breaks are written as they are (a lone \r would read back as \n); python-dotenv's \\ escape is left to the check. */
function singleQuoted(value: string): string | undefined {
  // A closing quote right after a backslash counts as escaped, and dotenv would look for a later one.
  if (value.includes("'") || value.includes('\r') || value.endsWith('\\')) return undefined;
  return `'${value}'`;
}

/** Last resort: Node's dotenv reads an unquoted value up to `#` (python-dotenv up to ` #`) or the line end, and trims it. */
function looseUnquoted(value: string): string | undefined {
  if (/[#\r\n]/.test(value) || value.trim() !== value || QUOTES.includes(value[0] ?? '')) return undefined;
  return value;
}
