/**
 * What an app needs, after the move, to embed query text with its collection's embedding
 * function. Chroma stores only the function's name and config (never a key): the app supplies
 * the key through the env var the config names, and a JS app the `@chroma-core/<name>` package
 * that registers the function (`getCollection` throws "No embedding function found" without
 * it). Names and packages from chroma-core/chroma clients/new-js/packages/ai-embeddings.
 */
import type { ChromaApi } from '../chroma/api.js';
import { factsOf } from './compare.js';
import { isObject, type EmbeddingFunctionConfig } from './shape.js';
import { inQuotes } from '../util/format.js';

export interface AppNeeds {
  /** The function's registered name, e.g. "openai". */
  name: string;
  /** Env vars the app must set (from the config's `*_env_var` fields, else the function's default). */
  envVars: string[];
  /** The npm package a JS app installs, when there is one. */
  jsPackage: string | null;
  /** Embeds through Chroma's hosted API (chroma-cloud-qwen / -splade): still Chroma Cloud, with its key. */
  cloudHosted: boolean;
}

/** Registered name → npm package and the env var its config names by default. */
const KNOWN: Record<string, { jsPackage: string; envVar?: string }> = {
  openai: { jsPackage: '@chroma-core/openai', envVar: 'OPENAI_API_KEY' },
  cohere: { jsPackage: '@chroma-core/cohere', envVar: 'COHERE_API_KEY' },
  'google-gemini': { jsPackage: '@chroma-core/google-gemini', envVar: 'GEMINI_API_KEY' },
  jina: { jsPackage: '@chroma-core/jina', envVar: 'JINA_API_KEY' },
  mistral: { jsPackage: '@chroma-core/mistral', envVar: 'MISTRAL_API_KEY' },
  morph: { jsPackage: '@chroma-core/morph', envVar: 'MORPH_API_KEY' },
  perplexity: { jsPackage: '@chroma-core/perplexity', envVar: 'PERPLEXITY_API_KEY' },
  'together-ai': { jsPackage: '@chroma-core/together-ai', envVar: 'TOGETHER_API_KEY' },
  voyageai: { jsPackage: '@chroma-core/voyageai', envVar: 'VOYAGE_API_KEY' },
  'cloudflare-worker-ai': { jsPackage: '@chroma-core/cloudflare-worker-ai', envVar: 'CLOUDFLARE_API_KEY' },
  'chroma-cloud-qwen': { jsPackage: '@chroma-core/chroma-cloud-qwen', envVar: 'CHROMA_API_KEY' },
  'chroma-cloud-splade': { jsPackage: '@chroma-core/chroma-cloud-splade', envVar: 'CHROMA_API_KEY' },
  ollama: { jsPackage: '@chroma-core/ollama' },
  'huggingface-server': { jsPackage: '@chroma-core/huggingface-server' },
  sentence_transformer: { jsPackage: '@chroma-core/sentence-transformer' },
  chroma_bm25: { jsPackage: '@chroma-core/chroma-bm25' },
  default: { jsPackage: '@chroma-core/default-embed' },
};

const CLOUD_HOSTED = new Set(['chroma-cloud-qwen', 'chroma-cloud-splade']);

/** Null when the collection names no embedding function (or only "legacy"/"unknown"). */
export function appNeeds(ef: EmbeddingFunctionConfig | null): AppNeeds | null {
  if (!ef || ef.type !== 'known' || typeof ef.name !== 'string') return null;
  const known = KNOWN[ef.name];
  const config = isObject(ef.config) ? ef.config : {};
  const named = Object.entries(config)
    .filter(([key, value]) => /_env_var$/i.test(key) && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
  const envVars = named.length > 0 ? [...new Set(named)] : known?.envVar ? [known.envVar] : [];
  return { name: ef.name, envVars, jsPackage: known?.jsPackage ?? null, cloudHosted: CLOUD_HOSTED.has(ef.name) };
}

/**
 * Short lines (a wizard frame is 80–100 columns) for a Done screen or verify's report;
 * `label` names the collection(s), e.g. '"docs"' or '"a", "b"'.
 */
export function describeAppNeeds(label: string, needs: AppNeeds): string[] {
  const lines = [`${label} embeds query text with ${needs.name}:`];
  if (needs.envVars.length > 0) lines.push(`set ${needs.envVars.join(', ')} where your app runs`);
  if (needs.jsPackage) lines.push(`JS apps: npm install ${needs.jsPackage}`);
  if (needs.cloudHosted) lines.push(`hosted by Chroma: queries still call Chroma Cloud with your Cloud key`);
  if (needs.cloudHosted && needs.name === 'chroma-cloud-splade') lines.push('sparse: a single node cannot hold it; move with --drop-sparse (keyword ranking is lost)');
  else if (needs.cloudHosted) lines.push('with your own model: chroma-migrate embeddings check --endpoint URL --model M');
  return lines;
}

/** Collections that need the same thing, together: one entry per embedding function and env vars. */
export function groupAppNeeds(entries: Array<{ collection: string; needs: AppNeeds }>): Array<{ label: string; needs: AppNeeds }> {
  const groups = new Map<string, { names: string[]; needs: AppNeeds }>();
  for (const entry of entries) {
    const key = `${entry.needs.name}|${entry.needs.envVars.join(',')}`;
    const group = groups.get(key) ?? { names: [], needs: entry.needs };
    group.names.push(entry.collection);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ names, needs }) => ({
    label: names.length <= 3 ? names.map(inQuotes).join(', ') : `${inQuotes(names[0]!)} and ${names.length - 1} more collections`,
    needs,
  }));
}

/** What the app needs for each collection on a server that names an embedding function. */
export async function appNeedsOnServer(
  api: ChromaApi,
  options: { names?: string[]; signal?: AbortSignal } = {},
): Promise<Array<{ collection: string; needs: AppNeeds }>> {
  const all = await api.allCollections({ signal: options.signal });
  const wanted = options.names ? all.filter((info) => options.names!.includes(info.name)) : all;
  return wanted
    .map((info) => ({ collection: info.name, needs: appNeeds(factsOf(info).embeddingFunction) }))
    .filter((entry): entry is { collection: string; needs: AppNeeds } => entry.needs !== null);
}
