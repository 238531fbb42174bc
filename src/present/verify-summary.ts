import { count, fraction } from '../core/util/format.js';
import type { CollectionVerdict } from '../core/operations/verify.js';

/**
 * What verify found for one collection, in words the CLI and the wizard share. After step 7 the
 * target holds more than the backup: "1,177 from the backup, all equal, and 877 more that are
 * not in it" says that plainly, where "2,054/1,177" beside a green ✓ read as a contradiction.
 */
export function describeVerdict(verdict: CollectionVerdict): string {
  if (!verdict.exists) return `not on the target (0 of ${count(verdict.expected)} records)`;
  const equal = verdict.compared - verdict.missing - verdict.differing;
  const extra = Math.max(0, (verdict.count ?? 0) - (verdict.expected - verdict.missing));
  const more = extra > 0 ? `, and ${count(extra)} more that ${extra === 1 ? 'is' : 'are'} not in it` : '';
  if (verdict.missing === 0 && verdict.differing === 0) {
    return `${count(verdict.expected)} from the backup, ${verdict.expected === 1 ? 'equal' : 'all equal'}${more}`;
  }
  const problems = [verdict.missing > 0 ? `${count(verdict.missing)} missing` : '', verdict.differing > 0 ? `${count(verdict.differing)} differing` : ''].filter(Boolean).join(', ');
  return `${fraction(equal, verdict.expected)} from the backup equal (${problems})${more}`;
}

/** "20 of 20 found themselves first": the semantic self-query sample. */
export function describeSelfQueries(verdict: CollectionVerdict): string {
  return `${fraction(verdict.selfQuery.first, verdict.selfQuery.sampled)} found themselves first`;
}
