import type { Endpoint } from '../../../core/chroma/endpoint.js';
import type { Space } from '../../../core/model/record.js';
import type { ExistsChoice, ImportResult } from '../../../core/operations/import.js';
import type { ProgressListener } from '../../../core/util/progress.js';
import { isMigrateError } from '../../../core/util/errors.js';
import type { WizardServices } from '../../services.js';
import { labelOf, recreateKeepingMeaning, type Ask, type ExistingCollection } from './recreate.js';

export interface ImportFileContext {
  services: WizardServices;
  ask: Ask;
  signal: AbortSignal;
  /** Done again: a finished earlier run is not this one, so an existing collection is asked about. */
  again: boolean;
  dropSparse: boolean;
  onProgress: ProgressListener;
}

/** One backup file into one target database: the result, or the collection the user chose to leave as it is. */
export type FileOutcome = { result: ImportResult } | { cancelled: string };

export async function importFile(context: ImportFileContext, input: string, target: Endpoint): Promise<FileOutcome> {
  const { services, ask, signal } = context;
  const notes: string[] = [];
  // A recreate is done here, keeping what the collection meant; the engine is told to stop
  // ('abort'), and the import starts again to find the collection there and empty.
  let recreated = false;
  let cancelled: string | null = null;
  const remade = new Set<string>();
  const decideExists = async (info: ExistingCollection): Promise<ExistsChoice> => {
    const choice = await recreateKeepingMeaning({ services, target, input, signal, ask, info });
    if (choice.note) notes.push(choice.note);
    recreated = choice.recreated;
    if (recreated) remade.add(labelOf(info));
    if (choice.answer === 'abort' && !recreated) cancelled = labelOf(info);
    return choice.answer;
  };
  for (;;) {
    try {
      const result = await services.importBackup({
        input,
        target,
        ifExists: 'ask',
        again: context.again,
        dropSparse: context.dropSparse,
        decideExists,
        decideSpace: (info) => ask({ name: 'space', collection: info.collection, source: info.source }) as Promise<Space>,
        statePath: services.statePath,
        signal,
        onProgress: context.onProgress,
      });
      // The engine found the collections the wizard recreated there and empty: to the user they were recreated.
      const collections = result.collections.map((entry) => (remade.has(labelOf(entry)) ? { ...entry, action: 'recreated' as const } : entry));
      return { result: { ...result, collections, notes: [...notes, ...result.notes] } };
    } catch (error) {
      // Cancel is the user's choice, not a failure: no error, no command-line advice.
      if (cancelled !== null && isMigrateError(error) && error.code === 'EXISTS') return { cancelled };
      if (!recreated) throw error;
      recreated = false;
    }
  }
}
