import type { Endpoint } from '../../../core/chroma/endpoint.js';
import { describeEmbeddingFunction, sourceIndexOf } from '../../../core/collection/shape.js';
import { spaceUnknown } from '../../../core/collection/plan.js';
import type { Space } from '../../../core/model/record.js';
import type { ExistsChoice } from '../../../core/operations/import.js';
import type { WizardServices } from '../../services.js';
import type { ImportPhase } from './ImportView.js';
import { inQuotes } from '../../format.js';

/** Puts a question on screen and resolves with the user's answer. */
export type Ask = (question: ImportPhase) => Promise<unknown>;

/** The collection the engine found there; `database` when the backup holds several. */
export interface ExistingCollection {
  collection: string;
  count: number;
  database?: string;
}

/** How the user sees and types it: `staging/docs` when the backup holds several databases. */
export function labelOf(info: { collection: string; database?: string }): string {
  return info.database === undefined ? info.collection : `${info.database}/${info.collection}`;
}

interface Decision {
  /** What the engine is told: 'abort' after the wizard recreated the collection itself. */
  answer: ExistsChoice;
  recreated: boolean;
  /** What was kept, in words, for the summary. */
  note?: string;
}

/**
 * "This collection already exists": append, cancel, or delete and recreate — the last only once
 * its name is typed, and never changing what the collection meant. The space and embedding
 * function are read from the collection before it is deleted and kept where the backup records
 * none; when neither says the space, the user is asked (nothing preselected).
 */
export async function recreateKeepingMeaning(options: { services: WizardServices; target: Endpoint; input: string; signal: AbortSignal; ask: Ask; info: ExistingCollection }): Promise<Decision> {
  const { services, input, signal, ask, info } = options;
  const label = labelOf(info);
  // The database the engine found it in: the lookup, the delete and the create all act there only.
  const target = info.database === undefined ? options.target : { ...options.target, database: info.database };
  for (;;) {
    const choice = (await ask({ name: 'exists', collection: label, records: info.count })) as ExistsChoice;
    services.log(`import: ${inQuotes(label)} exists with ${info.count} records; chose ${choice}`);
    if (choice !== 'recreate') return { answer: choice, recreated: false };
    if (!(await typedName(ask, label, info.count))) continue;
    // The wizard maps no database: the target's database is the backup's of the same name.
    const header = (await services.inspectBackup(input, { signal })).collections.find((entry) => entry.name === info.collection && (info.database === undefined || entry.database === info.database));
    if (!header) return { answer: 'recreate', recreated: false };
    const meaning = (await services.meaningOf(target, info.collection, signal)) ?? { space: null, embeddingFunction: null };
    const unknown = spaceUnknown(header);
    const space = unknown ? (meaning.space ?? ((await ask({ name: 'space', collection: label, source: header.name })) as Space)) : header.space;
    services.log(`import: deleting ${inQuotes(label)} (its name typed) and recreating it with space ${space ?? 'as the backup says'}`);
    await services.recreate(target, header, { space, embeddingFunction: meaning.embeddingFunction }, signal);
    const kept = [unknown && meaning.space ? `the ${meaning.space} space` : '', !sourceIndexOf(header.configuration, header.schema, header.metadata).embeddingFunction && meaning.embeddingFunction ? `its embedding function (${describeEmbeddingFunction(meaning.embeddingFunction)})` : ''].filter(Boolean);
    const note = kept.length > 0 ? `${inQuotes(label)} was recreated with ${kept.join(' and ')}, as the deleted collection had: the backup does not record ${kept.length > 1 ? 'them' : 'it'}.` : undefined;
    return { answer: 'abort', recreated: true, note };
  }
}

/** True once the name is typed exactly as shown (with its database, when shown); false when the user goes back (Enter alone). */
async function typedName(ask: Ask, label: string, records: number): Promise<boolean> {
  let mistyped: string | undefined;
  for (;;) {
    const typed = String(await ask({ name: 'confirm-delete', collection: label, records, mistyped })).trim();
    if (typed === '') return false;
    if (typed === label) return true;
    mistyped = typed;
  }
}
