/**
 * JSON text ↔ metadata values, keeping each number's type (see types.ts). The one place that
 * decides what a number token means:
 * - digits only → an int (a bigint past 2^53, exact as the server holds it);
 * - a fraction or an exponent → a float, a WholeFloat when its value is whole.
 *
 * JSON.parse stays the fast path: lossless-json (about 5× slower on a metadata object) reads
 * only text that may hold a token JSON.parse would change (mayLoseNumbers).
 */
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { WholeFloat } from './values.js';

/** A number token; in a string's text too, which only ever sends that text the slower, still exact, way. */
const NUMBER_TOKEN = /-?\d+(\.\d+)?([eE][-+]?\d+)?/g;

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
  if (!mayLoseNumbers(text)) return value;
  return losslessParse(text, null, numberFromToken);
}

/**
 * True when `text` may hold a number JSON.parse would mistype: a float token whose value is
 * whole (2.0, 1e3, or a decimal so long it rounds to one), or an int of 16 digits or more.
 * A float with a fraction and a short int read the same either way, so everyday metadata
 * (page: 3, score: 0.8234567891234567) stays on JSON.parse.
 */
export function mayLoseNumbers(text: string): boolean {
  NUMBER_TOKEN.lastIndex = 0;
  for (let match = NUMBER_TOKEN.exec(text); match !== null; match = NUMBER_TOKEN.exec(text)) {
    const token = match[0];
    if (match[1] === undefined && match[2] === undefined) {
      if (token.length - (token.charCodeAt(0) === 0x2d ? 1 : 0) >= 16) return true;
    } else if (Number.isInteger(Number(token))) {
      return true;
    }
  }
  return false;
}

/** How a float is written: always with a fraction or an exponent, so it reads back as a float. */
export function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.eE]/.test(text) || !Number.isFinite(value) ? text : `${text}.0`;
}

const WHOLE_FLOAT = { test: (value: unknown) => value instanceof WholeFloat, stringify: (value: unknown) => floatText((value as WholeFloat).value) };

/** A deep copy of parsed JSON that keeps WholeFloats (structuredClone makes them plain objects). */
export function cloneTyped<T>(value: T): T {
  if (value === null || typeof value !== 'object' || value instanceof WholeFloat) return value;
  if (Array.isArray(value)) return value.map(cloneTyped) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = cloneTyped(item);
  return out as T;
}

/** JSON.stringify that writes WholeFloats as floats and bigints as their digits. */
export function stringifyTyped(value: unknown): string {
  if (!holdsTypedNumbers(value)) return JSON.stringify(value);
  return losslessStringify(value, null, undefined, [WHOLE_FLOAT])!;
}

/** Whether anything below `value` needs stringifyTyped (a walk is far cheaper than the slow path). */
function holdsTypedNumbers(value: unknown): boolean {
  if (typeof value === 'bigint' || value instanceof WholeFloat) return true;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) {
    for (const item of value) if ((typeof item === 'object' || typeof item === 'bigint') && holdsTypedNumbers(item)) return true;
    return false;
  }
  for (const key in value) if (holdsTypedNumbers((value as Record<string, unknown>)[key])) return true;
  return false;
}
