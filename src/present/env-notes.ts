import { octalMode, type AppliedEnvPlan } from '../core/env-file/apply.js';
import type { EnvChange } from '../core/env-file/diff.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type TargetPlace } from '../core/chroma/endpoint.js';
import { inQuotes, shellWord } from '../core/util/format.js';
import { targetPlaceFlags } from './resume-command.js';

interface Written {
  path: string;
  /** The mode the file had (0600 for a file that was not there). */
  mode: number;
  existed: boolean;
  writesToken: boolean;
}

/** Shown with the change, when the file begins with a byte-order mark: the rewrite leaves it out. */
export const BOM_NOTE = "Its byte-order mark (BOM) goes too: Python's dotenv reads it as part of the first key (the backup keeps it).";

/** Who can read the file, once env set (or the wizard) wrote a token into it. */
export function modeNotes(file: Written, { tightened }: Pick<AppliedEnvPlan, 'tightened'>): string[] {
  const notes: string[] = [];
  if (tightened) {
    const groupLost = (tightened.from & 0o040) !== 0 && (tightened.to & 0o040) === 0;
    notes.push(
      `It now holds a token, so only you can read it: its mode went from ${octalMode(tightened.from)} to ${octalMode(tightened.to)}.` +
        (groupLost ? ` Its group can no longer read it either: an app that runs as another user of that group must be given it back (chmod 640 ${shellWord(file.path)}).` : ''),
    );
  } else if (file.writesToken && !file.existed) {
    notes.push(`It holds a token, so only you can read it (mode ${octalMode(file.mode)}).`);
  } else if (file.writesToken && (file.mode & 0o040) !== 0) {
    notes.push(`It holds a token, and its group can read it (mode ${octalMode(file.mode)}, as you had set it). To keep it to yourself: chmod 600 ${shellWord(file.path)}`);
  }
  return notes;
}

/** 'tenant "acme", database "prod_docs"': each part known, the default one named too. */
function describePlace(place: TargetPlace): string {
  return [...(place.tenant ? [`tenant ${inQuotes(place.tenant)}`] : []), ...(place.database ? [`database ${inQuotes(place.database)}`] : [])].join(', ');
}

/**
 * One line when the place env set writes is not where the runs put the data on this server (the
 * migration state's record): the flags that name it, never a guess made for the user.
 */
export function placeNote(recorded: TargetPlace, chosen: TargetPlace, url: string): string[] {
  const differs = (part: 'tenant' | 'database', fallback: string) => recorded[part] !== undefined && recorded[part] !== (chosen[part] || fallback);
  if (!differs('tenant', DEFAULT_TENANT) && !differs('database', DEFAULT_DATABASE)) return [];
  const flags = targetPlaceFlags(recorded.tenant, recorded.database).map(shellWord).join(' ');
  const fix = flags ? `add ${flags}` : 'leave out --target-tenant and --target-database';
  return [`! The migration state says the data on ${url} went into ${describePlace(recorded)}, not where this .env points: for your app to see it, ${fix}.`];
}

/**
 * After writing a tenant or database other than the default: a client given only the host
 * connects to the default ones and sees none of the data, so the app must pass them on.
 */
export function placeUseNote(set: Record<string, string>): string[] {
  const keys = ['CHROMA_HOST_TENANT', 'CHROMA_HOST_DATABASE'].filter((key) => set[key] !== undefined);
  if (keys.length === 0) return [];
  return [
    `Your app's client must pass ${keys.join(' and ')} on, or it sees the default database: chromadb.HttpClient(…, tenant=…, database=…) in Python, new ChromaClient({ …, tenant, database }) in JS; createChromaClient from chroma-migrate reads them itself.`,
  ];
}

/**
 * A tenant or database .env named that this env set removes because no flag named it: said with
 * the flags that keep it, in case it was not a move back to the default place.
 */
export function droppedPlaceNote(changes: readonly EnvChange[], chosen: TargetPlace): string[] {
  if (chosen.tenant || chosen.database) return [];
  const dropped = (key: string) => changes.find((change) => change.key === key && change.after === undefined)?.before;
  const [tenant, database] = [dropped('CHROMA_HOST_TENANT'), dropped('CHROMA_HOST_DATABASE')];
  const flags = targetPlaceFlags(tenant, database).map(shellWord).join(' ');
  if (!flags) return [];
  return [`! .env named ${describePlace({ tenant, database })} on the server; without --target-tenant and --target-database that goes, and the app reads the default ones. To keep it, add ${flags}.`];
}
