import { useRef, useState } from 'react';
import { Text, useInput } from 'ink';

export interface LineInputProps {
  /** Text already there: what the user typed before an error, or a remembered value. */
  defaultValue?: string;
  placeholder?: string;
  /** Shows • for each character (tokens, API keys). */
  mask?: boolean;
  onSubmit: (value: string) => void;
  onChange?: (value: string) => void;
  /** Tab: return the completed text (or the same text when nothing completes). */
  onTab?: (value: string) => string;
}

/**
 * A one-line text prompt that keeps the user's work: it starts from `defaultValue` (so text
 * survives an error), submits on a pasted line's trailing newline (a path copied with its line
 * break needed a second Enter), and passes Tab to a completer. Reads the value from a ref, not
 * from the last render, so an Enter right after fast typing submits everything typed.
 */
export function LineInput({ defaultValue = '', placeholder = '', mask = false, onSubmit, onChange, onTab }: LineInputProps) {
  const [state, setState] = useState({ value: defaultValue, cursor: defaultValue.length });
  const current = useRef(state);

  const set = (value: string, cursor: number) => {
    const next = { value, cursor: Math.max(0, Math.min(value.length, cursor)) };
    current.current = next;
    setState(next);
    if (value !== state.value) onChange?.(value);
  };

  useInput((input, key) => {
    const { value, cursor } = current.current;
    if (key.upArrow || key.downArrow || key.escape || (key.ctrl && input === 'c')) return;
    if (key.return) {
      onSubmit(value);
      return;
    }
    if (key.tab) {
      if (onTab) {
        const completed = onTab(value);
        set(completed, completed.length);
      }
      return;
    }
    if (key.leftArrow) return set(value, cursor - 1);
    if (key.rightArrow) return set(value, cursor + 1);
    // As in a shell: Ctrl-A/Home to the start, Ctrl-E/End to the end, Ctrl-U deletes to the
    // start, Ctrl-K to the end, Ctrl-W the word before the cursor.
    if (key.home || (key.ctrl && input === 'a')) return set(value, 0);
    if (key.end || (key.ctrl && input === 'e')) return set(value, value.length);
    if (key.ctrl && input === 'u') return set(value.slice(cursor), 0);
    if (key.ctrl && input === 'k') return set(value.slice(0, cursor), cursor);
    if (key.ctrl && input === 'w') {
      const start = value.slice(0, cursor).replace(/\S+\s*$|\s+$/, '').length;
      return set(value.slice(0, start) + value.slice(cursor), start);
    }
    if (key.backspace || key.delete) {
      const { line, at } = typed(value, cursor, '\b');
      return set(line, at);
    }
    if (!input || key.ctrl || key.meta) return;
    // Text and a Tab can arrive as one chunk (typed fast, or sent by tmux): the Tab completes
    // what came before it, never lands in the line.
    const tab = input.indexOf('\t');
    if (tab >= 0) {
      const before = value.slice(0, cursor) + input.slice(0, tab) + value.slice(cursor);
      const completed = onTab ? onTab(before) : before;
      return set(completed, completed.length);
    }
    // A paste arrives as one chunk: a line break in it ends the line, as Enter would.
    const brk = input.search(/[\r\n]/);
    const { line, at } = typed(value, cursor, brk >= 0 ? input.slice(0, brk) : input);
    set(line, at);
    if (brk >= 0) onSubmit(line);
  });

  const { value, cursor } = state;
  if (value === '') {
    return placeholder ? (
      <Text>
        <Text inverse>{placeholder[0]}</Text>
        <Text dimColor>{placeholder.slice(1)}</Text>
      </Text>
    ) : (
      <Text inverse> </Text>
    );
  }
  const shown = mask ? '•'.repeat(value.length) : value;
  return (
    <Text>
      {shown.slice(0, cursor)}
      <Text inverse>{shown[cursor] ?? ' '}</Text>
      {shown.slice(cursor + 1)}
    </Text>
  );
}

/**
 * A chunk of keys put into the line at the cursor. Keys sent together (a held Backspace, tmux, a
 * slow link) arrive as one chunk that is not read as a Backspace: each DEL or BS in it erases the
 * character before, and no other control character or escape sequence lands in the line, where
 * it would be invisible (in a token, a 401 no one could explain).
 */
function typed(value: string, cursor: number, chunk: string): { line: string; at: number } {
  let line = value;
  let at = cursor;
  for (const character of chunk.replace(/\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g, '')) {
    if (character === '\x7f' || character === '\b') {
      if (at > 0) line = line.slice(0, at - 1) + line.slice(at);
      at = Math.max(0, at - 1);
    } else if (!/[\x00-\x1f\x80-\x9f]/.test(character)) {
      line = line.slice(0, at) + character + line.slice(at);
      at += character.length;
    }
  }
  return { line, at };
}
