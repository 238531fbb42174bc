/**
 * Ink clears the whole terminal, scrollback included (ESC[3J), whenever the last frame it drew
 * was as tall as `stdout.rows` — and on a resize it redraws the old frame before the layout has
 * followed the new size, so making the window shorter always wiped the user's history. The
 * wizard keeps its live frame shorter than the terminal itself (layout/terminal-size.ts reads
 * the real height from `realRows`), so Ink is shown a terminal that is never too short.
 */
export function withoutInkFullscreenClear(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'rows') return Number.MAX_SAFE_INTEGER;
      if (property === 'realRows') return target.rows;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
