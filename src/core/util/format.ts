/**
 * Every number a person reads, one way: "1,177", in the wizard, the commands' output and the
 * errors alike. Fractions are words ("600 of 1,177"): a bare "1177/1177" beside "1,177" reads as
 * two different tools, and "2,054/1,177" as a failure.
 */
export const count = (value: number): string => value.toLocaleString('en-US');

/** "1 collection", "3 collections": never "collection(s)". */
export function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${value === 1 ? one : many}`;
}

/** "600 of 1,177". */
export function fraction(done: number, total: number): string {
  return `${count(done)} of ${count(total)}`;
}

/** A word to paste into a shell: as it is when it is safe there, else single-quoted (a path with a space). */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
