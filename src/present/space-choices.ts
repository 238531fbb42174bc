import type { Space } from '../core/model/record.js';

/** The distance spaces in words, for the question both faces ask when a backup does not say. */
export const SPACE_CHOICES: ReadonlyArray<{ label: string; value: Space }> = [
  { label: 'cosine — most text embedding models (OpenAI, Cohere, …) are searched this way', value: 'cosine' },
  { label: "l2 — squared Euclidean distance, Chroma's default when none was set", value: 'l2' },
  { label: 'ip — inner product', value: 'ip' },
];
