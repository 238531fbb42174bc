import { editDistance } from '../core/util/path-hints.js';

/** The known word nearest to a typo ("improt" → "import"), or null when none is close. */
export function nearest(typed: string, known: readonly string[]): string | null {
  const word = typed.toLowerCase();
  // Two letters swapped count as two edits: "improt" and "inptu" must still find their word.
  const allowed = word.length <= 3 ? 1 : Math.min(3, Math.max(2, Math.floor(word.length / 3)));
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(word, name.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}
