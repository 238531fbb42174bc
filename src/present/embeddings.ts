/**
 * Words for the embeddings command: a check's verdict, the instruction the app must add to its
 * queries, what sparse keys cost, and the app's new client code once its collection's embedding
 * function points at a self-hosted endpoint.
 */
import type { EmbeddingsCheck } from '../core/embeddings/check.js';
import type { EmbeddingFunctionJson } from '../core/embeddings/ef-config.js';
import { instructionPrefix } from '../core/embeddings/instructions.js';
import type { SparseKey } from '../core/embeddings/sparse.js';
import type { AppNeeds } from '../core/collection/app-needs.js';
import { describeEmbeddingFunction } from '../core/collection/shape.js';
import { count, inQuotes, plural, shown } from '../core/util/format.js';

const fixed = (value: number | null) => (value === null ? '?' : value.toFixed(4));

/** "same model: min cosine 0.9991 over 50 documents" or "different: median 0.41; …". */
export function describeAgreement(check: EmbeddingsCheck): string {
  const c = check.comparison;
  const over = `over ${plural(c.compared, 'document')}`;
  if (c.compared === 0) return 'nothing to compare: none of the sampled records has a document to embed';
  switch (c.agreement) {
    case 'same':
      return `same model: min cosine ${fixed(c.min)} ${over}`;
    case 'close':
      return `not the same: median cosine ${fixed(c.median)}, min ${fixed(c.min)} ${over}; probably the same model with another instruction, precision or quantisation — queries would rank differently`;
    case 'dimension':
      return `different: the endpoint gives ${c.endpointDimension}-d vectors, the collection holds ${c.storedDimension}-d; these vectors came from another model`;
    default:
      return `different: median cosine ${fixed(c.median)} ${over}; these vectors came from another model`;
  }
}

/** Lines under a check's verdict: the EF, instructions, base64, sparse keys. */
export function checkLines(check: EmbeddingsCheck): string[] {
  const lines = [`    function       ${describeEmbeddingFunction(check.embeddingFunction)}${check.cloudHosted ? ' (hosted by Chroma Cloud: stops when your Cloud key does)' : ''}`];
  lines.push(`    records        ${count(check.count)}${check.sampledWithoutDocument > 0 ? `; ${plural(check.sampledWithoutDocument, 'sampled place')} without a document` : ''}`);
  if (check.comparison.worst.length > 0 && check.comparison.agreement !== 'same') {
    lines.push(`    furthest       ${check.comparison.worst.map((entry) => `${shown(entry.id)} (${entry.cosine.toFixed(3)})`).join(', ')}`);
  }
  if (check.instructions.documents !== '') lines.push(`    documents      embedded as ${JSON.stringify(instructionPrefix(check.instructions.documents))} + text`);
  lines.push(...queryInstructionLines(check.instructions.query));
  if (check.base64 === 'numbers' || check.base64 === 'refused' || check.base64 === 'wrong') {
    lines.push('    ! base64       the endpoint does not answer encoding_format "base64" as OpenAI does; the JS openai client');
    lines.push('                   (@chroma-core/openai) asks for it and would misread the vectors. Python apps are fine.');
  }
  for (const key of check.sparse) lines.push(...sparseLines(key));
  return lines;
}

export function queryInstructionLines(query: string): string[] {
  if (query === '') return [];
  return [
    '    queries        the Cloud function put an instruction before each query (Qwen3\'s format);',
    '                   a self-hosted endpoint gets bare text, so the app adds it itself:',
    `                   ${JSON.stringify(instructionPrefix(query))} + query text`,
  ];
}

/** A sparse key cannot move to a single node: say what the app loses, and what to run. */
function sparseLines(key: SparseKey): string[] {
  const what = key.function ? `${key.function} sparse vectors` : 'sparse vectors';
  return [
    `    ! sparse       ${inQuotes(key.key)} holds ${what}: a single Chroma node cannot store or search them (Chroma Cloud only).`,
    '                   Move without them: add --drop-sparse to import or copy. The app loses keyword/hybrid',
    `                   ranking on ${inQuotes(key.key)} (Search API rank over that key); dense queries keep working.`,
  ];
}

/** The command's line after a verdict: what to run next. */
export function nextStep(check: EmbeddingsCheck, flags: string): string {
  if (check.comparison.agreement === 'same' && check.comparison.compared > 0) {
    return `    next           chroma-migrate embeddings repoint --collections ${shown(check.collection)} ${flags}`;
  }
  return `    next           chroma-migrate embeddings reembed --collections ${shown(check.collection)} --as ${shown(`${check.collection}_reembedded`)} ${flags}`;
}

/** The npm package and pip packages an app needs for the function. */
function packagesFor(ef: EmbeddingFunctionJson): { npm: string; pip: string } {
  return ef.name === 'ollama' ? { npm: '@chroma-core/ollama', pip: 'ollama' } : { npm: '@chroma-core/openai', pip: 'openai' };
}

/**
 * The app's code once the collection's EF is `ef`: no embedding function argument — the stored
 * config builds it (JS imports the package itself). `server` is the target's URL.
 */
export function appCode(ef: EmbeddingFunctionJson, collection: string, server: string, queryInstruction: string): { python: string; js: string; env: string | null } {
  const url = new URL(server);
  const ssl = url.protocol === 'https:';
  const port = Number(url.port || (ssl ? 443 : 80));
  const packages = packagesFor(ef);
  const prefix = instructionPrefix(queryInstruction);
  const keyVar = ef.name === 'openai' ? String(ef.config.api_key_env_var) : null;
  const pyQuery = prefix ? `QUERY_PREFIX = ${JSON.stringify(prefix)}\nresults = collection.query(query_texts=[QUERY_PREFIX + "your question"], n_results=5)` : 'results = collection.query(query_texts=["your question"], n_results=5)';
  const jsQuery = prefix ? `const QUERY_PREFIX = ${JSON.stringify(prefix)};\nconst results = await collection.query({ queryTexts: [QUERY_PREFIX + 'your question'], nResults: 5 });` : "const results = await collection.query({ queryTexts: ['your question'], nResults: 5 });";
  const python = `# pip install chromadb ${packages.pip}
import chromadb

client = chromadb.HttpClient(host=${JSON.stringify(url.hostname)}, port=${port}, ssl=${ssl ? 'True' : 'False'})
# No embedding_function argument: the collection's stored config builds it.
collection = client.get_collection(${JSON.stringify(collection)})
${pyQuery}`;
  const js = `// npm install chromadb ${packages.npm}
import { ChromaClient } from 'chromadb';

const client = new ChromaClient({ host: ${JSON.stringify(url.hostname)}, port: ${port}, ssl: ${ssl} });
// No embeddingFunction: getCollection builds it from the stored config (${packages.npm}).
const collection = await client.getCollection({ name: ${JSON.stringify(collection)} });
${jsQuery}`;
  const env = keyVar ? `${keyVar}=<the endpoint's key; any value if it has none: the OpenAI clients refuse to start without one>` : null;
  return { python, js, env };
}

/**
 * What the app needs, for collections whose EF is hosted by Chroma Cloud: the command that keeps
 * their queries working (dense), or what --drop-sparse costs (sparse). Empty when there are none.
 */
export function cloudHostedLines(entries: Array<{ collection: string; needs: AppNeeds }>): string[] {
  const hosted = entries.filter((entry) => entry.needs.cloudHosted);
  const dense = hosted.filter((entry) => entry.needs.name !== 'chroma-cloud-splade').map((entry) => entry.collection);
  const sparse = hosted.filter((entry) => entry.needs.name === 'chroma-cloud-splade').map((entry) => entry.collection);
  const lines: string[] = [];
  if (dense.length > 0) {
    lines.push(`! What the app needs: ${dense.map(inQuotes).join(', ')} embed query text through Chroma Cloud (chroma-cloud-qwen).`);
    lines.push(`  With a model you run: chroma-migrate embeddings check --collections ${dense.map(shown).join(',')} --endpoint URL --model M`);
  }
  if (sparse.length > 0) {
    lines.push(`! What the app needs: ${sparse.map(inQuotes).join(', ')} use sparse chroma-cloud-splade, which a single node cannot hold:`);
    lines.push('  move them with --drop-sparse; keyword/hybrid ranking is lost, dense queries keep working.');
  }
  return lines;
}
