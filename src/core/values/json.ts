/**
 * JSON text ↔ metadata values, keeping each number's type (see types.ts). The one place that
 * decides what a number token means:
 * - digits only → an int (a bigint past 2^53, exact as the server holds it);
 * - a fraction or an exponent → a float, a WholeFloat when its value is whole.
 *
 * JSON.parse stays the fast path: lossless-json (about 5× slower on a metadata object) reads
 * only text that may hold a token JSON.parse would change — a whole float (`2.0`, `1e3`), an
 * int of 16 digits or more, or a decimal long enough to round to a whole number.
 */
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { WholeFloat } from './types.js';

/**
 * A number token JSON.parse would misread, after the ":", "," or "[" that starts a value.
 * Strings may match too ("v2.0, beta"): they only take the slower, still exact, path.
 */
const AMBIGUOUS_NUMBER = /[:,[]\s*-?(?:\d+\.0+(?![0-9])|\d+(?:\.\d+)?[eE]|[\d.]{16})/;

const INTEGER_TOKEN = /^-?\d+$/;

export function numberFromToken(token: string): number | bigint | WholeFloat {
  const value = Number(token);
  if (INTEGER_TOKEN.test(token)) return Number.isSafeInteger(value) ? value : BigInt(token);
  return Number.isInteger(value) ? new WholeFloat(value) : value;
}

/** JSON text → values with typed numbers. Throws SyntaxError as JSON.parse does. */
export function parseTyped(text: string): unknown {
  // JSON.parse also decides whether the text is JSON at all, and words its errors.
  const value: unknown = JSON.parse(text);
  if (!AMBIGUOUS_NUMBER.test(text)) return value;
  return losslessParse(text, null, numberFromToken);
}

/** True when `text` may hold a number token whose type JSON.parse would lose. */
export function mayLoseNumbers(text: string): boolean {
  return AMBIGUOUS_NUMBER.test(text);
}

/** How a float is written: always with a fraction or an exponent, so it reads back as a float. */
export function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.eE]/.test(text) || !Number.isFinite(value) ? text : `${text}.0`;
}

const WHOLE_FLOAT = { test: (value: unknown) => value instanceof WholeFloat, stringify: (value: unknown) => floatText((value as WholeFloat).value) };

/** JSON.stringify that writes WholeFloats as floats and bigints as their digits. */
export function stringifyTyped(value: unknown): string {
  if (!holdsTypedNumbers(value)) return JSON.stringify(value);
  return losslessStringify(value, null, undefined, [WHOLE_FLOAT])!;
}

/** Whether anything below `value` needs stringifyTyped (a walk is far cheaper than the slow path). */
export function holdsTypedNumbers(value: unknown): boolean {
  if (typeof value === 'bigint' || value instanceof WholeFloat) return true;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) {
    for (const item of value) if ((typeof item === 'object' || typeof item === 'bigint') && holdsTypedNumbers(item)) return true;
    return false;
  }
  for (const key in value) if (holdsTypedNumbers((value as Record<string, unknown>)[key])) return true;
  return false;
}
