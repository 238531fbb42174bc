import { count, fraction, inQuotes, plural, shown } from '../../core/util/format.js';
import { equalRecords } from '../../core/sinks/verifier/checker.js';
import { LOW_RECALL } from '../../core/sinks/verifier/recall.js';
import { settingsLines } from './collection-report.js';
import type { CollectionVerdict } from '../../core/operations/verify.js';

/**
 * What verify found for one collection, in words the CLI and the wizard share. After step 7 the
 * target holds more than the backup: "1,177 from the backup, all equal, and 877 more that are
 * not in it" says that plainly, where "2,054/1,177" beside a green ✓ read as a contradiction.
 */
export function describeVerdict(verdict: CollectionVerdict): string {
  if (!verdict.exists) return `not on the target (0 of ${count(verdict.expected)} records)`;
  const from = verdict.against === 'source' ? 'at the source' : 'from the backup';
  const equal = equalRecords(verdict);
  const extra = verdict.against === 'source' ? verdict.extra : (verdict.beyondBackup ?? 0);
  const more = extra > 0 ? `, and ${count(extra)} more that ${extra === 1 ? 'is' : 'are'} not ${verdict.against === 'source' ? 'at the source' : 'in it'}` : '';
  const gone = verdict.goneAtSource?.count ?? 0;
  const added = verdict.addedAtSource?.count ?? 0;
  if (verdict.missing === 0 && verdict.differing === 0 && gone === 0 && added === 0) {
    return `${count(verdict.expected)} ${from}, ${verdict.expected === 1 ? 'equal' : 'all equal'}${more}`;
  }
  const elsewhere = verdict.tooLargeElsewhere;
  const problems = [
    verdict.missing > 0 ? `${count(verdict.missing)} missing${elsewhere ? `, ${count(elsewhere.count)} of them refused as too large by ${elsewhere.by.map(shown).join(', ')} when sent, not by this target` : ''}` : '',
    verdict.differing > 0 ? `${count(verdict.differing)} differing` : '',
    gone > 0 ? `${count(gone)} deleted at the source while verify read it` : '',
    added > 0 ? `the source has ${count(added)} more, added since the copy read it` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${fraction(equal, verdict.expected)} ${from} equal (${problems})${more}`;
}

/**
 * "index recall 0.97 at k=10 (ef_search 100), 20 queries": how well the target's index finds
 * the true nearest neighbours of a sample, computed exactly from the records. It measures the
 * index (HNSW is approximate), not the data: the records were compared one by one above.
 */
export function describeRecall(verdict: Pick<CollectionVerdict, 'recall'>): string {
  const { recall } = verdict;
  if (recall.recall === null) return 'index recall not measured (no records with embeddings to query)';
  const ef = recall.efSearch === null ? '' : ` (ef_search ${count(recall.efSearch)})`;
  return `index recall ${recall.recall.toFixed(2)} at k=${recall.k}${ef}, ${plural(recall.sampled, 'query', 'queries')}`;
}

/** The warning and its fix when the index answers noticeably worse than an exact search; null otherwise. */
export function recallAdvice(verdict: Pick<CollectionVerdict, 'recall' | 'collection' | 'missing' | 'differing'>): string | null {
  const { recall } = verdict;
  if (!recall.low) return null;
  // A record the target lacks (or holds otherwise) is a true neighbour no query can find there: not the index's doing.
  if (verdict.missing > 0 || verdict.differing > 0) {
    return `Queries on ${inQuotes(verdict.collection)} miss some true neighbours (recall below ${LOW_RECALL}), at least partly because records are missing or differ (above): mend those first, then verify again.`;
  }
  const raise = recall.efSearch === null ? 200 : Math.max(200, recall.efSearch * 2);
  return (
    `Queries on ${inQuotes(verdict.collection)} miss some true neighbours (recall below ${LOW_RECALL}); the records themselves are equal. ` +
    `Raise the target's ef_search, a property of the server's index, not of the move: ` +
    `PUT /api/v2/tenants/…/collections/{id} {"new_configuration": {"hnsw": {"ef_search": ${raise}}}}.`
  );
}

/**
 * verify's report, a few lines per collection: what matched, what is missing or differs, and the
 * settings. The commands that mend what it found (send-again.ts), when known: `sendAgain` sends
 * what is missing; `prune` deletes what the target holds and the live source no longer does.
 */
export function verdictLines(verdicts: CollectionVerdict[], mend: { sendAgain?: string[]; rewrite?: string[]; prune?: string[] } = {}): string[] {
  const { sendAgain, rewrite, prune } = mend;
  const lines: string[] = [];
  for (const verdict of verdicts) {
    if (!verdict.exists) {
      lines.push(`✗ ${named(verdict)}: ${describeVerdict(verdict)}`);
      continue;
    }
    const equal = equalRecords(verdict);
    const more = (shown: number, all: number) => (all > shown ? ', …' : '');
    lines.push(`${verdict.ok ? '✓' : '✗'} ${named(verdict)}: ${describeVerdict(verdict)}`);
    lines.push(`    count          ${count(verdict.count ?? 0)} on the target`);
    lines.push(`    records equal  ${fraction(equal, verdict.expected)}${verdict.against === 'source' ? ' (read from the source now)' : ''}`);
    if (verdict.refused) lines.push(`    refused        ${count(verdict.refused.count)} by the target, left out as chosen (--skip-invalid), listed in ${verdict.refused.file}: ${verdict.refused.ids.map(shown).join(', ')}${more(verdict.refused.ids.length, verdict.refused.count)}`);
    if (verdict.missing > 0) lines.push(`    missing        ${count(verdict.missing)}: ${verdict.missingIds.map(shown).join(', ')}${more(verdict.missingIds.length, verdict.missing)}`);
    if (verdict.tooLargeElsewhere) lines.push(tooLargeElsewhereLine(verdict.tooLargeElsewhere));
    if (verdict.extra > 0) lines.push(`    not at source  ${count(verdict.extra)}: ${verdict.extraIds.map(shown).join(', ')}${more(verdict.extraIds.length, verdict.extra)}`);
    const gone = verdict.goneAtSource;
    if (gone) lines.push(`    source changed ${count(gone.count)} listed, then gone when read: ${gone.ids.map(shown).join(', ')}${more(gone.ids.length, gone.count)}. Not a loss on the target: run verify again once the source holds still`);
    const added = verdict.addedAtSource;
    if (added) lines.push(`    source changed ${count(added.count)} added there after the copy read it (${added.ids.map(shown).join(', ')}${more(added.ids.length, added.count)}), so in neither the backup nor the target. Not a loss of what was read: to bring them, run chroma-migrate sync (or the same copy again) once the source holds still`);
    if (verdict.differing > 0) {
      const ids = verdict.differingIds.map((entry) => `${shown(entry.id)} (${entry.fields.join(', ')})`).join(', ');
      lines.push(`    differing      ${count(verdict.differing)}: ${ids}${more(verdict.differingIds.length, verdict.differing)}`);
    }
    for (const [key, n] of Object.entries(verdict.sparseNotCarried)) {
      lines.push(`    not carried    sparse vectors in ${inQuotes(key)} (${plural(n, 'record')}): a self-hosted server cannot store them; the backup keeps them`);
    }
    lines.push(`    index          ${describeRecall(verdict)}`);
    const advice = recallAdvice(verdict);
    if (advice) lines.push(`    ! ${advice}`);
    lines.push(...settingsLines(verdict.settings, verdict.collection, verdict.against));
  }
  lines.push(...missingLines(verdicts, sendAgain, rewrite));
  if (rewrite?.length && verdicts.some((verdict) => verdict.differing > 0 && verdict.against === 'backup')) {
    lines.push("Differing records: to write the backup's over them, run:");
    lines.push(...rewrite.map((line) => `    ${line}`));
  }
  // Against the live source the command that sends is a sync, which writes each such record as the source holds it.
  if (sendAgain?.length && verdicts.some((verdict) => verdict.differing > 0 && verdict.against === 'source')) {
    lines.push("Differing records: to write the source's over them, run:");
    lines.push(...sendAgain.map((line) => `    ${line}`));
  }
  if (prune?.length && verdicts.some((verdict) => verdict.against === 'source' && verdict.extra > 0)) {
    lines.push('Records on the target that the source does not hold (deleted there since, or never there): to delete them from the target, run (it names them and asks first):');
    lines.push(...prune.map((line) => `    ${line}`));
  }
  return lines;
}

/**
 * How to send what is missing. Records another address refused as too large (413) go with the
 * import that sends every record (--again): an import of this backup may otherwise leave them
 * aside again, as an earlier run's refusals, not as this address's.
 */
function missingLines(verdicts: CollectionVerdict[], sendAgain: string[] | undefined, rewrite: string[] | undefined): string[] {
  if (!verdicts.some((verdict) => verdict.missing > 0 || !verdict.exists)) return [];
  if (!sendAgain) return ['Missing records: run chroma-migrate import with the same backup again (--if-exists append) to re-send them.'];
  const elsewhere = rewrite?.length && verdicts.some((verdict) => verdict.tooLargeElsewhere && verdict.against === 'backup');
  if (!elsewhere) return ['Missing records: to send them, run:', ...sendAgain.map((line) => `    ${line}`)];
  return [
    'Missing records: to send them, those another address refused as too large among them, run (--again sends every record of the backup; point --url at an address that takes them, this one or the server itself):',
    ...rewrite.map((line) => `    ${line}`),
  ];
}

/**
 * The missing records a rejects file says another address refused as too large (413): that
 * refusal is no proof this target would refuse them, so they count as missing, and the words say
 * where they were refused and that they still have to be sent.
 */
function tooLargeElsewhereLine(note: NonNullable<CollectionVerdict['tooLargeElsewhere']>): string {
  const one = note.count === 1;
  const ids = `${note.ids.map(shown).join(', ')}${note.count > note.ids.length ? ', …' : ''}`;
  return (
    `    sent elsewhere ${count(note.count)} of the missing ${one ? 'was' : 'were'} refused as too large (413) by ${note.by.map(shown).join(', ')} when ${one ? 'it was' : 'they were'} sent (listed in ${note.file}): ${ids}. ` +
    `That refusal was another address's, and this target does not hold ${one ? 'it' : 'them'}: send ${one ? 'it' : 'them'} through an address that takes ${one ? 'it' : 'them'} (below)`
  );
}

/** "staging/docs" when the backup held several databases, else "docs". */
function named(verdict: CollectionVerdict): string {
  return shown(verdict.database === undefined ? verdict.collection : `${verdict.database}/${verdict.collection}`);
}
