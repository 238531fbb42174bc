import { fileURLToPath } from 'node:url';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { completePath } from '../core/util/path-hints.js';

/**
 * What a user types or pastes at a path prompt, read as a shell would: `~`, a path in single or
 * double quotes (as terminals paste a dragged file), spaces escaped with a backslash, and
 * `file://` URLs. Returns the path relative to nothing: absolute, or as typed when relative.
 */
export function pathFromTyped(text: string, home: string): string {
  const typed = text.trim();
  if (/^file:\/\//i.test(typed)) {
    try {
      return fileURLToPath(typed);
    } catch {
      return typed;
    }
  }
  const unquoted = unquote(typed);
  if (unquoted === '~') return home;
  if (unquoted.startsWith(`~${sep}`)) return join(home, unquoted.slice(2));
  return unquoted;
}

/** The path typed, resolved against the folder the wizard runs in. */
export function resolveTyped(text: string, cwd: string, home: string): string {
  const path = pathFromTyped(text, home);
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function unquote(text: string): string {
  const quote = text[0];
  if ((quote === "'" || quote === '"') && text.length >= 2 && text.endsWith(quote)) {
    const inner = text.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return text.replace(/\\(.)/g, '$1');
}

/**
 * Tab, as a shell completes: inside quotes the completion stays inside them (closed on a file),
 * outside them spaces and shell characters come back escaped, so what Tab writes is what Enter
 * reads. `candidates` are plain names, for the user to read.
 */
export function completeTyped(cwd: string, text: string): { value: string; candidates: string[] } {
  const quote = text[0] === "'" || text[0] === '"' ? text[0] : '';
  const raw = quote ? text.slice(1).replace(new RegExp(`${quote}$`), '') : text.replace(/\\(.)/g, '$1');
  const completion = completePath(cwd, raw);
  if (completion.value === raw) return { value: text, candidates: completion.candidates };
  const file = completion.candidates.length === 0 && !completion.value.endsWith(sep);
  const value = quote ? `${quote}${completion.value}${file ? quote : ''}` : completion.value.replace(/([ '"\\$`!&;()|<>*?[\]{}#])/g, '\\$1');
  return { value, candidates: completion.candidates };
}
