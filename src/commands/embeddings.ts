import { describeEndpoint, type Endpoint } from '../core/chroma/endpoint.js';
import { withMaskedQuery } from '../core/chroma/url.js';
import { DEFAULT_SAMPLE } from '../core/embeddings/sample.js';
import { describeEmbeddingEndpoint, resolveEmbeddingEndpoint, type EmbeddingEndpoint } from '../core/embeddings/endpoint.js';
import { checkEmbeddings, reproduced } from '../core/operations/embeddings-check.js';
import { repointEmbeddings } from '../core/operations/embeddings-repoint.js';
import { reembedCollection, type ReembedResult } from '../core/operations/embeddings-reembed.js';
import { statePath } from '../core/state/store.js';
import { MigrateError } from '../core/util/errors.js';
import { fraction, inQuotes, plural, shellWord, shown } from '../core/util/format.js';
import { appCode, checkLines, describeAgreement, nextStep, queryInstructionLines } from '../present/embeddings.js';
import { choiceOption, ifExistsOption, intOption, listOption, newNameOption, type FlagValues } from '../cli/args.js';
import { askExists } from '../cli/ask.js';
import { EXIT, writeJson } from '../cli/command.js';
import { CONNECTION_GROUPS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';
import { createReporter, number } from '../cli/reporter.js';
import { withFlagValue, withheldNote } from '../present/resume-command.js';

const FLAGS = {
  endpoint: {
    type: 'string',
    arg: 'URL',
    help: 'the embeddings server: Ollama (http://HOST:11434) speaks POST /api/embed; vLLM, TEI, LM Studio, llama.cpp, OpenAI (http://HOST:PORT/v1) speak POST /v1/embeddings',
  },
  model: { type: 'string', arg: 'M', help: 'the model it serves, e.g. qwen3-embedding:0.6b or Qwen/Qwen3-Embedding-0.6B' },
  api: { type: 'string', arg: 'openai|ollama', help: 'the wire shape, when the URL does not say (default: openai, or ollama on port 11434 or a path ending in /api)' },
  'api-key-env': { type: 'string', arg: 'VAR', help: "the env var holding the endpoint's key (never printed or saved); the openai function's config names it for the app" },
  instruction: {
    type: 'string',
    arg: 'TEXT',
    help: 'the instruction put before each document (Qwen3\'s "Instruct: …\\nQuery:" format) instead of the one the collection\'s function used (usually none)',
  },
  collections: { type: 'string', arg: 'a,b', help: 'these collections (check: default --all)' },
  all: { type: 'boolean', help: 'every collection on the target' },
  sample: { type: 'string', arg: 'N', help: `documents to compare per collection (default ${DEFAULT_SAMPLE}); reembed: to embed again when verifying (default 20)` },
  as: { type: 'string', arg: 'NEW', help: "reembed: the new collection's name" },
  'if-exists': { type: 'string', arg: 'MODE', help: 'reembed, when NEW holds records: ask, append, recreate, abort' },
  batch: { type: 'string', arg: 'N', help: 'reembed: records per write (default 256)' },
  'embed-batch': { type: 'string', arg: 'N', help: 'reembed: texts per embedding request (default 32; halved on a 413)' },
  concurrency: { type: 'string', arg: 'N', help: 'reembed: embedding requests in flight (default 4)' },
  timeout: { type: 'string', arg: 'SECONDS', help: 'how long one embedding request may take before it is tried again (default 120; 5 tries)' },
  'keep-undocumented': {
    type: 'boolean',
    help: 'reembed: keep records without a document with their old vector (same dimension only); without it they are named and left out',
  },
  yes: { type: 'boolean', short: 'y', help: 'answer the confirmation (repoint, reembed); without a terminal a change needs it' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout' },
  ...TARGET_FLAGS,
  insecure: { type: 'boolean', group: 'target', help: "allow sending a token (the target's, or the endpoint's API key) over plain http:// to another machine" },
} as const;

type Values = FlagValues<typeof FLAGS>;
type Action = 'check' | 'repoint' | 'reembed';
interface Context {
  io: CommandIo;
  values: Values;
  target: Endpoint;
  endpoint: EmbeddingEndpoint;
  collections: string[] | undefined;
}

export const embeddingsCommand = defineCommand({
  name: 'embeddings',
  summary: 'After a Cloud-hosted embedding function: check, repoint or re-embed with a model you run',
  subcommands: ['check', 'repoint', 'reembed'],
  usage: ['check|repoint|reembed --endpoint URL --model M [options]'],
  description: `For collections already on the target whose embedding function was Cloud-hosted
(chroma-cloud-qwen) or a paid API: keep the app's text queries working with a model you run.

check embeds a sample of the stored documents through the endpoint and compares each with its stored
vector (cosine min / median). Exit 0: the endpoint reproduces the vectors; 1: it does not. Reads
only.

repoint: check, then (where it passes, after --yes or your answer) change the collection's embedding
function to the Chroma one that calls the endpoint (ollama or openai with api_base), read it back,
and print the app's new client code.

reembed writes a new collection --as NEW: the same ids, documents, metadata and uris, every document
embedded through the endpoint, its embedding function pointing there. Batched, resumable (run it
again after Ctrl-C or a crash), verified. The original collection is never changed.`,
  flags: FLAGS,
  groups: CONNECTION_GROUPS,
  notes: `Sparse keys (chroma-cloud-splade, BM25) cannot live on a single node: check names them and what
the app loses; import and copy take --drop-sparse.`,
  examples: [
    { what: 'does a local Ollama reproduce the stored vectors?', run: 'chroma-migrate embeddings check --endpoint http://localhost:11434 --model qwen3-embedding:0.6b' },
    { what: 'a new collection embedded by your model', run: 'chroma-migrate embeddings reembed --collections docs --as docs_local --endpoint http://localhost:8080/v1 --model m' },
  ],
  exitCodes: '0 reproduced / changed and read back / re-embedded and verified, 1 not, 2 usage, 130 interrupted (reembed resumes).',

  async run({ subcommand, values, io, env, target, say }) {
    const action = subcommand as Action;
    const problem = usageProblem(action, values, io);
    if (problem) throw new MigrateError('USAGE', problem, 'See chroma-migrate embeddings --help.');
    const endpoint = resolveEmbeddingEndpoint(
      { url: values.endpoint!, model: values.model!, shape: choiceOption('api', values.api, ['openai', 'ollama'] as const), apiKeyEnvVar: values['api-key-env'], timeoutMs: timeoutOption(values.timeout), insecure: values.insecure === true },
      env(),
    );
    for (const note of endpoint.notes) say(`! ${note}`);
    const context: Context = { io, values, target: target().target, endpoint, collections: values.all ? undefined : listOption(values.collections) };
    if (action === 'check') return runCheck(context);
    if (action === 'repoint') return runRepoint(context);
    return runReembed(context);
  },
});

/** Seconds from the user, milliseconds for the endpoint; none leaves the endpoint's default. */
function timeoutOption(value: string | undefined): number | undefined {
  const seconds = intOption('timeout', value, { max: 3_600 });
  return seconds === undefined ? undefined : seconds * 1000;
}

function usageProblem(action: Action, values: Values, io: CommandIo): string | null {
  if (!values.endpoint || !values.model) return `embeddings ${action} needs --endpoint URL and --model M (the embeddings server you run, and its model).`;
  if (values.all && values.collections) return 'Give --collections or --all, not both.';
  if (action === 'repoint' && !values.all && !values.collections) return 'embeddings repoint needs --collections a,b (or --all): it changes them.';
  if (action === 'reembed') {
    const names = listOption(values.collections) ?? [];
    if (names.length !== 1 || values.all) return 'embeddings reembed works on one collection: --collections NAME --as NEW.';
    if (!values.as) return 'embeddings reembed needs --as NEW, the new collection\'s name (the original is never changed).';
    if (values.as === names[0]) return `--as must name a new collection, not ${inQuotes(values.as)} itself: the original is never changed. Pick another name, e.g. --as ${shellWord(`${values.as}_v2`)}.`;
  }
  if (action !== 'check' && !values.yes && !isInteractive(io)) {
    return `embeddings ${action} changes the target, and there is no terminal to confirm in: add --yes to go ahead.`;
  }
  return null;
}

/** The flags that name the endpoint and target again, for a suggested next command (never a token, nor a query's values). */
function sameFlags(context: Context): string {
  const { values } = context;
  // A query's values may be keys: printed as "…", to be given again (as typedArgs saves them).
  const parts = [`--endpoint ${shellWord(withMaskedQuery(values.endpoint!))}`, `--model ${shellWord(values.model!)}`];
  if (values.api) parts.push(`--api ${values.api}`);
  if (values['api-key-env']) parts.push(`--api-key-env ${values['api-key-env']}`);
  if (values.url) parts.push(`--url ${shellWord(withMaskedQuery(values.url))}`);
  if (values['target-tenant']) parts.push(`--target-tenant ${shellWord(values['target-tenant'])}`);
  if (values['target-database']) parts.push(`--target-database ${shellWord(values['target-database'])}`);
  return parts.join(' ');
}

function sample(values: Values, fallback: number): number {
  return intOption('sample', values.sample, { min: 1, max: 10_000 }) ?? fallback;
}

async function runCheck(context: Context): Promise<number> {
  const { io, values } = context;
  const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
  reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(context.target)}; endpoint: ${describeEmbeddingEndpoint(context.endpoint)}` });
  try {
    const result = await checkEmbeddings({
      target: context.target,
      collections: context.collections,
      endpoint: context.endpoint,
      sample: sample(values, DEFAULT_SAMPLE),
      documentInstruction: values.instruction,
      signal: io.signal,
      onProgress: reporter.listener,
    });
    reporter.close();
    if (values.json) writeJson(io, { ok: result.ok, endpoint: { url: context.endpoint.postUrl, shape: context.endpoint.shape, model: context.endpoint.model }, collections: result.checks });
    else {
      for (const check of result.checks) {
        io.stderr.write(`${reproduced(check) ? '✓' : '✗'} ${check.collection}: ${describeAgreement(check)}\n`);
        for (const line of [...checkLines(check), nextStep(check, sameFlags(context))]) io.stderr.write(`${line}\n`);
      }
      if (result.checks.length === 0) io.stderr.write('✗ The target holds no collection to check.\n');
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    reporter.close();
  }
}

async function confirm(io: CommandIo, yes: boolean | undefined, message: string): Promise<boolean> {
  if (yes) return true;
  const { confirm: ask } = await loadPrompts();
  return ask({ message, default: false }, { output: io.stderr, signal: io.signal });
}

async function runRepoint(context: Context): Promise<number> {
  const { io, values } = context;
  const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
  reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(context.target)}; endpoint: ${describeEmbeddingEndpoint(context.endpoint)}` });
  try {
    const result = await repointEmbeddings({
      target: context.target,
      collections: context.collections,
      endpoint: context.endpoint,
      sample: sample(values, DEFAULT_SAMPLE),
      documentInstruction: values.instruction,
      confirm: (changes) => {
        reporter.close();
        const list = changes.map((change) => `${inQuotes(change.collection)} (${change.from} → ${change.to})`).join(', ');
        return confirm(io, values.yes, `The endpoint reproduces the stored vectors. Change the embedding function of ${list}?`);
      },
      signal: io.signal,
      onProgress: reporter.listener,
    });
    reporter.close();
    if (values.json) writeJson(io, { ok: result.ok, confirmed: result.confirmed, collections: result.entries });
    else printRepoint(context, result);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    reporter.close();
  }
}

function printRepoint(context: Context, result: Awaited<ReturnType<typeof repointEmbeddings>>): void {
  const out = (text: string) => context.io.stderr.write(`${text}\n`);
  for (const { check, repoint } of result.entries) {
    if (!repoint) {
      out(`✗ ${check.collection}: not changed — ${reproduced(check) ? 'not confirmed' : describeAgreement(check)}`);
      if (!reproduced(check)) out(nextStep(check, sameFlags(context)));
      continue;
    }
    out(`${repoint.ok ? '✓' : '✗'} ${check.collection}: ${describeAgreement(check)}; embedding function changed${repoint.ok ? ' and read back' : ', but the server reads back otherwise'}`);
    out(`    was            ${JSON.stringify(repoint.before)}`);
    for (const entry of repoint.readBack) out(`    ${entry.place}\n                   ${JSON.stringify(entry.value)}`);
    if (!repoint.ok) continue;
    printAppCode(context, check.collection, repoint.sent, check.instructions.query);
  }
}

function printAppCode(context: Context, collection: string, ef: Parameters<typeof appCode>[0], queryInstruction: string): void {
  const out = (text: string) => context.io.stdout.write(`${text}\n`);
  const code = appCode(ef, collection, context.target.url, queryInstruction);
  for (const line of queryInstructionLines(queryInstruction)) context.io.stderr.write(`${line}\n`);
  out(`\n# Python — the app's new client code for ${inQuotes(collection)}\n${code.python}\n`);
  out(`// JavaScript\n${code.js}\n`);
  if (code.env) out(`# and where the app runs:\n${code.env}\n`);
}

async function runReembed(context: Context): Promise<number> {
  const { io, values } = context;
  const name = context.collections![0]!;
  const as = newNameOption(values.as)!;
  const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
  reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(context.target)}; endpoint: ${describeEmbeddingEndpoint(context.endpoint)}` });
  try {
    if (!(await confirm(io, values.yes, `Write a new collection ${inQuotes(as)} on ${context.target.url}: every record of ${inQuotes(name)}, each document embedded through ${context.endpoint.postUrl}? (${inQuotes(name)} is not changed.)`))) {
      io.stderr.write('Nothing was changed.\n');
      return EXIT.failed;
    }
    const result = await reembedCollection({
      target: context.target,
      collection: name,
      as,
      endpoint: context.endpoint,
      documentInstruction: values.instruction,
      keepUndocumented: values['keep-undocumented'] === true,
      ifExists: ifExistsOption(values),
      decideExists: isInteractive(io) && !values.yes ? (info) => askExists(info, io) : undefined,
      batchSize: intOption('batch', values.batch, { max: 5_000 }),
      embedBatch: intOption('embed-batch', values['embed-batch'], { max: 2_048 }),
      embedConcurrency: intOption('concurrency', values.concurrency, { max: 64 }),
      sample: intOption('sample', values.sample, { min: 0, max: 10_000 }),
      statePath: statePath(values.state, io.env),
      signal: io.signal,
      onProgress: reporter.listener,
    });
    reporter.close();
    if (values.json) writeJson(io, { ok: result.verdict.ok, ...result });
    else printReembed(context, result);
    return result.verdict.ok ? EXIT.ok : EXIT.failed;
  } finally {
    reporter.close();
  }
}

function printReembed(context: Context, result: ReembedResult): void {
  const out = (text: string) => context.io.stderr.write(`${text}\n`);
  const v = result.verdict;
  const equal = v.compared - v.missing - v.differing;
  out(`${v.ok ? '✓' : '✗'} ${shown(result.collection)}: ${number(v.count)} records re-embedded from ${inQuotes(result.source)} (${result.dimension.before ?? '?'}-d → ${result.dimension.after}-d)${result.resumedFrom > 0 ? `, resumed at ${number(result.resumedFrom)}` : ''}`);
  out(`    records equal  ${fraction(equal, v.compared)} (ids, documents, metadata, uris)`);
  if (v.missing > 0) out(`    missing        ${number(v.missing)}: ${v.missingIds.map(shown).join(', ')}${v.missing > v.missingIds.length ? ', …' : ''}; run the same command again`);
  if (v.differing > 0) out(`    differing      ${number(v.differing)}: ${v.differingIds.map((entry) => `${shown(entry.id)} (${entry.fields.join(', ')})`).join(', ')}`);
  printMend(context, result);
  out(`    embeddings     ${fraction(v.sampleEqual, v.sampled)} sampled documents embedded again match what is stored`);
  if (v.undocumented > 0) {
    const ids = `${v.undocumentedIds.map(shown).join(', ')}${v.undocumented > v.undocumentedIds.length ? ', …' : ''}`;
    out(`    no document    ${plural(v.undocumented, 'record')} (${ids}) ${v.keptUndocumented ? 'kept with their old vector' : 'left out: nothing to embed (--keep-undocumented keeps them with their old vector)'}`);
  }
  for (const item of result.leftOut) out(`    left out       ${item.field}: ${item.why}`);
  out(result.originalUnchanged ? `    original       ${inQuotes(result.source)} unchanged while this ran (count and configuration read again)` : `    ! original     ${inQuotes(result.source)} changed while this ran (count or configuration): something else writes to it`);
  if (v.ok) printAppCode(context, result.collection, result.ef, result.queryInstruction);
}

/**
 * What the ids showed after the pages: the original changed since the re-embed began (what the
 * new collection lacked was sent; what the original no longer has is named), and when only
 * starting over mends the new collection, the command that does.
 */
function printMend(context: Context, result: ReembedResult): void {
  const out = (text: string) => context.io.stderr.write(`${text}\n`);
  const { mend, verdict } = result;
  const [source, created] = [inQuotes(result.source), inQuotes(result.collection)];
  if (mend.sent > 0 || mend.extra > 0 || result.countBefore !== verdict.sourceCount) {
    out(`    ! original     ${source} changed since this re-embed began (${number(result.countBefore)} records then, ${number(verdict.sourceCount)} now)`);
  }
  if (mend.sent > 0) out(`    sent now       ${plural(mend.sent, 'record')} ${source} holds that ${created} lacked (added since, or passed over as its pages shifted), embedded and sent`);
  if (mend.extra > 0) {
    out(`    not in original ${plural(mend.extra, 'record')} in ${created} that ${source} no longer has: ${mend.extraIds.map(shown).join(', ')}${mend.extra > mend.extraIds.length ? ', …' : ''}`);
  }
  if (mend.extra === 0 && verdict.differing === 0) return;
  // Nothing is deleted without a choice: starting over deletes the new collection, which the user asks for.
  out(`    start over     ${created} holds records ${source} no longer has or holds otherwise; only starting over mends that (it deletes ${created} first, then re-embeds every record):`);
  const typed = context.io.typed;
  out(`                   ${typed ? withFlagValue(typed.command, '--if-exists', 'recreate') : `chroma-migrate embeddings reembed --collections ${shellWord(result.source)} --as ${shellWord(result.collection)} ${sameFlags(context)} --if-exists recreate`}`);
  for (const line of withheldNote(typed?.withheld ?? [])) out(`                   ${line}`);
}
