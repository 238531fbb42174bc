/**
 * Which lines of a rejects file verify believes. A line excuses its record (not expected on the
 * target) only when the target verify checks would refuse that record too: its rules refuse it
 * today, or the very address verify reads refused it as too large even alone (413) and it is
 * large. A 413 is an answer of one address, often a proxy's body limit in front of the server:
 * it says nothing of the server reached directly, or through another proxy, which may take the
 * record. Everything else a line says is checked like any other record, so a line added by hand,
 * or left from a run through another address, cannot hide a record deleted from the target.
 */
import { addressOf } from '../../chroma/url.js';
import { requestBytes } from './fit-requests.js';
import { recordProblems, type TargetRules } from './refusals.js';
import type { RefusedRecord } from './rejects.js';

/**
 * The smallest record a refusal as too large even alone (413) is believed for: a proxy's body
 * limit is rarely under 1 MB; a small record "refused alone" is a line added by hand, or stale.
 */
const LEAST_TOO_LARGE = 64 * 1024;

/** A line whose record was refused as too large even alone, and is large enough for that to be believed. */
function tooLargeAlone(line: RefusedRecord): boolean {
  return line.problems.some((problem) => /\b413\b/.test(problem.why)) && requestBytes(line.record) >= LEAST_TOO_LARGE;
}

/**
 * The reason our own older versions wrote for a 413 (fit-requests.ts, tooLargeWhy), before lines
 * named the address in a field of their own: it begins with the address as the run used it.
 */
const OLDER_TOO_LARGE = /^about \d+(?:\.\d+)? MB as a request; (\S+) refused it even alone \(413 Payload too large/;

/**
 * The address that refused a line's record, normalised (addressOf); null when the line does not
 * say. A line of an older version names it only in its reason's words, always in the same form
 * from the first version that set records aside for 413: that form is read, so a migration
 * verified after an upgrade keeps its honest refusals. A field or a reason can both be edited by
 * hand; neither is trusted more than the other, and a line that names no address excuses no 413.
 */
export function refusingAddress(line: RefusedRecord): string | null {
  if (line.refusedBy !== undefined) return addressOf(line.refusedBy);
  for (const problem of line.problems) {
    const named = OLDER_TOO_LARGE.exec(problem.why)?.[1];
    if (named !== undefined) return addressOf(named);
  }
  return null;
}

/** Whether this line's 413 came from `address` (the target verify checks, as its URL was given). */
function refusedHere(line: RefusedRecord, address: string | null): boolean {
  const by = refusingAddress(line);
  return by !== null && by === address;
}

/**
 * The lines that may excuse their record on the target at `url`: the target's rules refuse it
 * now, or `url` itself refused it as too large even alone and it is large. A line with no
 * reason, whose record the target would take, or whose 413 came from another address, excuses
 * nothing: verify checks that record like any other.
 */
export function credibleRejects(lines: readonly RefusedRecord[], rules: TargetRules, url: string): RefusedRecord[] {
  const here = addressOf(url);
  return lines.filter((line) => line.problems.length > 0 && (recordProblems(line.record, rules).length > 0 || (tooLargeAlone(line) && refusedHere(line, here))));
}

/**
 * The lines of records another address refused as too large alone (named: the line says which),
 * that the target at `url` is not known to refuse: not excused, and when the target lacks the
 * record, verify says where it was refused and how to send it.
 */
export function tooLargeElsewhere(lines: readonly RefusedRecord[], rules: TargetRules, url: string): RefusedRecord[] {
  const here = addressOf(url);
  return lines.filter((line) => {
    const by = refusingAddress(line);
    return by !== null && by !== here && tooLargeAlone(line) && recordProblems(line.record, rules).length === 0;
  });
}

/**
 * An earlier run's lines, for a run that resumes on the target at `url`: those it keeps, which
 * would excuse their record there (credibleRejects), and the rest, whose records it sends again.
 * A 413 another address gave (a proxy's body limit in front of another server) says nothing of
 * this one: kept, it would leave out a record this target takes, and the run would say ✓.
 */
export function splitForResume(lines: readonly RefusedRecord[], rules: TargetRules, url: string): { kept: RefusedRecord[]; retried: RefusedRecord[] } {
  const credible = new Set(credibleRejects(lines, rules, url));
  return { kept: lines.filter((line) => credible.has(line)), retried: lines.filter((line) => !credible.has(line)) };
}
