import { useEffect, useState, type RefObject } from 'react';
import { measureElement, type DOMElement } from 'ink';
import type { FrameSignal } from './frames.js';

/**
 * The rendered height of a box, kept current. Ink has no layout event, and a screen's own state
 * changes (a check appearing, an error below a prompt) do not re-render the component that
 * holds the ref: so it is read after each of its renders and after every frame Ink draws
 * (`frames`), or, without that signal, every `everyMs`.
 */
export function useMeasuredHeight(ref: RefObject<DOMElement | null>, frames?: FrameSignal, everyMs = 50): number | null {
  const [height, setHeight] = useState<number | null>(null);
  useEffect(() => {
    const measure = () => {
      if (!ref.current) return;
      const next = measureElement(ref.current).height;
      setHeight((current) => (current === next ? current : next));
    };
    measure();
    if (frames) return frames.subscribe(measure);
    const timer = setInterval(measure, everyMs);
    return () => clearInterval(timer);
  });
  return height;
}
