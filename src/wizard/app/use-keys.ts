import { useState, type RefObject } from 'react';
import { useInput } from 'ink';

/**
 * Ctrl-C and Esc, everywhere in the wizard. Ctrl-C aborts the running work, lets it reach its
 * checkpoint (the engine stops within a batch), then leaves with 130; Esc goes back a step,
 * never while work runs. Returns whether the wizard is on its way out.
 */
export function useKeys({ controller, busy, leave, back }: { controller: AbortController; busy: RefObject<boolean>; leave: (code: number) => void; back: () => void }): boolean {
  const [stopping, setStopping] = useState(false);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (stopping) return; // already on the way out
      setStopping(true);
      controller.abort(new Error('interrupted'));
      // A real timer caps the wait: the injected clock may stand still in tests.
      const deadline = Date.now() + 5_000;
      const wait = setInterval(() => {
        if (!busy.current || Date.now() > deadline) {
          clearInterval(wait);
          leave(130);
        }
      }, 50);
      return;
    }
    if (key.escape && !busy.current) back();
  });
  return stopping;
}
