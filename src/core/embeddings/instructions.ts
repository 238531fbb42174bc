/**
 * Qwen3-Embedding's instruction convention, as Chroma's `chroma-cloud-qwen` function uses it.
 * Its config holds `task` and `instructions: {TASK: {documents, query}}`; the hosted API gets the
 * instruction beside the texts and applies Qwen's format. A self-hosted endpoint gets bare text,
 * so the instruction travels inside it: `Instruct: {instruction}\nQuery:{text}` (the format of
 * Qwen's own README and evaluation code). Documents usually have none (the default task
 * `nl_to_code` has ""), queries do — and that prefix is what the app must add to its query text
 * once its embedding function is a plain Ollama or OpenAI one.
 */
import { isObject, type EmbeddingFunctionConfig } from '../collection/shape.js';

export interface Instructions {
  /** The task the config names, when it names one. */
  task: string | null;
  documents: string;
  query: string;
}

/** Chroma's default when a chroma-cloud-qwen config has no `instructions` (from Qwen's task_prompts.json). */
const DEFAULT_QWEN_INSTRUCTIONS: Record<string, { documents: string; query: string }> = {
  nl_to_code: { documents: '', query: "Given a question about coding, retrieval code or passage that can solve user's question" },
};

/** The instructions a collection's EF applies; empty for functions that apply none. */
export function instructionsOf(ef: EmbeddingFunctionConfig | null): Instructions {
  if (!ef || ef.name !== 'chroma-cloud-qwen' || !isObject(ef.config)) return { task: null, documents: '', query: '' };
  const task = typeof ef.config.task === 'string' && ef.config.task !== '' ? ef.config.task : null;
  const all = isObject(ef.config.instructions) ? ef.config.instructions : DEFAULT_QWEN_INSTRUCTIONS;
  const forTask = task && isObject(all[task]) ? (all[task] as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { task, documents: text(forTask.documents), query: text(forTask.query) };
}

/** Qwen3's format; no instruction, the bare text. */
export function withInstruction(instruction: string, text: string): string {
  return instruction === '' ? text : `${instructionPrefix(instruction)}${text}`;
}

/** What goes before the text: the string the app prepends to each query. */
export function instructionPrefix(instruction: string): string {
  return instruction === '' ? '' : `Instruct: ${instruction}\nQuery:`;
}
