/**
 * A streaming JSON scanner that walks only the skeleton of a document (the objects and arrays a
 * handler chooses to descend into) and hands every other value to JSON.parse as one slice.
 *
 * Why not stream-json: it emits events per token, which measured ~1,200 records/s on 384-d
 * exports — slower than a Chroma server ingests. Finding value boundaries with a byte loop and
 * letting V8's native JSON.parse do the values is several times faster, and memory stays
 * bounded by the largest single value (one record, one embedding), never the file.
 *
 * For each value the handler decides: descend (objects/arrays: report their children),
 * capture (parse and hand over), or skip (scan past without allocating).
 */
import { isUtf8 } from 'node:buffer';
import { parseTyped } from '../../model/typed-json.js';
import { badBackup, describeByte, describeJsonError, TRUNCATED } from '../bad-backup.js';

export type ValueKind = 'object' | 'array' | 'scalar';
/** 'capture-typed': parse keeping each number's type, for metadata (values/json.ts). */
export type Decision = 'skip' | 'capture' | 'capture-typed' | { descend: string };

export interface Frame {
  readonly kind: 'object' | 'array';
  /** The handler's name for this container, from its descend decision. */
  readonly tag: string;
  /** Current key (objects). */
  key: string | null;
  /** Index of the current element; after close, the element count (arrays). */
  index: number;
}

export interface ScanHandler {
  /** A value starts here; `parent` is undefined for the top-level value. */
  decide(parent: Frame | undefined, kind: ValueKind, offset: number): Decision;
  /** A captured value, parsed. */
  value(parent: Frame | undefined, value: unknown, offset: number): void;
  /** A descended container ended. */
  close(frame: Frame, offset: number): void;
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

// Scanner states.
const VALUE = 0; // a value must follow (after ':' or ',' in an array, or at the start)
const FIRST_VALUE = 1; // just after '[': a value or ']'
const FIRST_KEY = 2; // just after '{': a key or '}'
const KEY = 3; // after ',' in an object: a key
const IN_KEY = 4;
const COLON_NEXT = 5;
const COMMA_OR_END = 6;
const IN_VALUE = 7;
const DONE = 8;

export class JsonScanner {
  private readonly stack: Frame[] = [];
  private state = VALUE;
  /** Bytes consumed before the current chunk. */
  private base = 0;
  /** Set by the handler (via stop()) to end scanning early. */
  private stopped = false;

  // State of the value being skipped or captured.
  private capture = false;
  private typed = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private valueOffset = 0;
  private parts: Buffer[] = [];
  private partStart = 0;

  constructor(
    private readonly handler: ScanHandler,
    /** Names the file in messages, e.g. "export.json" or "export.json.gz (uncompressed)". */
    private readonly label: string,
  ) {}

  get done(): boolean {
    return this.stopped || this.state === DONE;
  }

  stop(): void {
    this.stopped = true;
  }

  /** The input starts at this offset of the document (a value read on its own): offsets in messages count from there. */
  startAt(offset: number): void {
    this.base = offset;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.stopped) {
      const state = this.state;
      if (state === IN_VALUE || state === IN_KEY) {
        i = this.continueValue(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (c === SPACE || c === LF || c === CR || c === TAB) {
        i++;
        continue;
      }
      switch (state) {
        case FIRST_VALUE:
          if (c === RBRACKET) {
            this.closeContainer(i);
            i++;
            break;
          }
        // falls through: a value
        case VALUE:
          i = this.beginValue(chunk, i, c);
          break;
        case FIRST_KEY:
        case KEY:
          if (c === QUOTE) {
            this.beginKey(i);
            i++;
          } else if (c === RBRACE && state === FIRST_KEY) {
            this.closeContainer(i);
            i++;
          } else {
            throw this.fail(i, state === FIRST_KEY ? 'a key in double quotes or "}"' : 'a key in double quotes', c);
          }
          break;
        case COLON_NEXT:
          if (c !== COLON) throw this.fail(i, '":" after the key', c);
          this.state = VALUE;
          i++;
          break;
        case COMMA_OR_END: {
          const top = this.stack[this.stack.length - 1]!;
          if (c === COMMA) {
            this.state = top.kind === 'object' ? KEY : VALUE;
          } else if ((c === RBRACE && top.kind === 'object') || (c === RBRACKET && top.kind === 'array')) {
            this.closeContainer(i);
          } else {
            throw this.fail(i, top.kind === 'object' ? '"," or "}"' : '"," or "]"', c);
          }
          i++;
          break;
        }
        case DONE:
          throw this.fail(
            i,
            'nothing after the top-level JSON object (JSON Lines files other than chroma-migrate backups are not supported)',
            c,
          );
      }
    }
    if (this.state === IN_VALUE || this.state === IN_KEY) {
      if (this.capture) this.parts.push(chunk.subarray(this.partStart, n));
      this.partStart = 0;
    }
    this.base += n;
  }

  /** End of input: anything still open means the file stops early. */
  end(): void {
    if (this.stopped || this.state === DONE) return;
    if (this.base === 0 && this.stack.length === 0) throw badBackup(`${this.label} is empty`);
    throw this.fail(0, this.stack.length === 0 ? 'a JSON value' : `the rest of ${this.where()}`, undefined, ` — ${TRUNCATED}`);
  }

  /** "records[1041]" or "collections[0].ids[5]": where the scanner is now. */
  where(): string {
    let path = '';
    for (const f of this.stack) {
      if (f.kind === 'array') path += `[${f.index}]`;
      else if (f.key !== null) path += path === '' ? f.key : `.${f.key}`;
    }
    return path === '' ? 'the top-level object' : path;
  }

  /** Byte offset of position i of the current chunk. */
  private at(i: number): number {
    return this.base + i;
  }

  fail(i: number, expected: string, got: number | undefined, tail = ''): Error {
    const inside = this.stack.length > 0 ? ` in ${this.where()}` : '';
    return badBackup(`${this.label} near byte ${this.at(i)}${inside}: expected ${expected}, got ${describeByte(got)}${tail}`);
  }

  private beginKey(i: number): void {
    this.state = IN_KEY;
    this.capture = true;
    this.typed = false;
    this.depth = 0;
    this.inString = true;
    this.escaped = false;
    this.scalar = false;
    this.valueOffset = this.at(i);
    this.parts = [];
    this.partStart = i;
  }

  private beginValue(chunk: Buffer, i: number, c: number): number {
    const kind: ValueKind = c === LBRACE ? 'object' : c === LBRACKET ? 'array' : 'scalar';
    if (kind === 'scalar' && !isScalarStart(c)) {
      const hint = c === 0x4e || c === 0x49 ? ' (NaN and Infinity are not JSON, and Chroma cannot store them)' : '';
      throw this.fail(i, 'a JSON value' + hint, c);
    }
    const parent = this.stack[this.stack.length - 1];
    const decision = this.handler.decide(parent, kind, this.at(i));
    if (typeof decision === 'object' && kind !== 'scalar') {
      this.stack.push({ kind, tag: decision.descend, key: null, index: 0 });
      this.state = kind === 'object' ? FIRST_KEY : FIRST_VALUE;
      return i + 1;
    }
    this.state = IN_VALUE;
    this.capture = decision !== 'skip';
    this.typed = decision === 'capture-typed';
    this.escaped = false;
    this.valueOffset = this.at(i);
    this.parts = [];
    this.partStart = i;
    this.depth = kind === 'scalar' ? 0 : 1;
    this.inString = c === QUOTE;
    this.scalar = kind === 'scalar' && c !== QUOTE;
    return this.continueValue(chunk, this.scalar ? i : i + 1);
  }

  /** The hot loop: finds where the current value (or key) ends. Returns the next position. */
  private continueValue(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    if (this.scalar) {
      for (; i < n; i++) {
        const c = chunk[i]!;
        if (c === COMMA || c === RBRACE || c === RBRACKET || c === SPACE || c === LF || c === CR || c === TAB) {
          return this.finishValue(chunk, i);
        }
      }
      return n;
    }
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) {
            this.inString = false;
            return this.finishValue(chunk, i + 1);
          }
        }
      } else if (c === QUOTE) inString = true;
      else if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) {
          this.depth = 0;
          return this.finishValue(chunk, i + 1);
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return n;
  }

  private finishValue(chunk: Buffer, end: number): number {
    const isKey = this.state === IN_KEY;
    let value: unknown;
    if (this.capture) {
      const last = chunk.subarray(this.partStart, end);
      const bytes = this.parts.length === 0 ? last : Buffer.concat([...this.parts, last]);
      const raw = bytes.toString('utf8');
      // toString() turns bytes that are not UTF-8 into U+FFFD silently: the data would change.
      if (raw.includes('\uFFFD') && !isUtf8(bytes)) {
        throw badBackup(`${this.label} near byte ${this.valueOffset} in ${this.where()}: bytes that are not UTF-8 (the file must be UTF-8; was it saved as Latin-1 or Windows-1252?)`);
      }
      this.parts = [];
      try {
        value = this.typed ? parseTyped(raw) : JSON.parse(raw);
      } catch (error) {
        // V8 reports a position inside the slice; add it to the slice's offset (exact for ASCII).
        // Without one (e.g. for NaN) point at NaN/Infinity if present, else at the value's start.
        const position = /at position (\d+)/.exec(String((error as Error).message))?.[1];
        const offset = this.valueOffset + (position === undefined ? Math.max(0, raw.search(/\bNaN\b|\bInfinity\b/)) : Number(position));
        throw badBackup(
          `${this.label} near byte ${offset} in ${this.where()}: expected a JSON ${isKey ? 'key' : 'value'}, but ${describeJsonError(error, raw)}`,
        );
      }
    }
    const parent = this.stack[this.stack.length - 1];
    if (isKey) {
      parent!.key = value as string;
      this.state = COLON_NEXT;
      return end;
    }
    if (this.capture) this.handler.value(parent, value, this.valueOffset);
    this.afterValue();
    return end;
  }

  private closeContainer(i: number): void {
    const frame = this.stack.pop()!;
    this.handler.close(frame, this.at(i));
    this.afterValue();
  }

  private afterValue(): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      this.state = DONE;
      return;
    }
    if (parent.kind === 'array') parent.index++;
    else parent.key = null; // so messages between members don't name the previous key
    this.state = COMMA_OR_END;
  }
}

function isScalarStart(c: number): boolean {
  // string, number, true, false, null
  return c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}
