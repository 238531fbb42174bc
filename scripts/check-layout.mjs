// The house's size rules (ARCHITECTURE.md): no folder under src/ holds more than 14 files side
// by side, and at most 8 files sit loose at the top of src/core. Exits 1 naming the folder.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const MAX_PER_FOLDER = 14;
const MAX_LOOSE_IN_CORE = 8;
const problems = [];
function walk(dir) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).length;
  const limit = dir === join('src', 'core') ? MAX_LOOSE_IN_CORE : MAX_PER_FOLDER;
  if (files > limit) problems.push(`${dir} holds ${files} files side by side (at most ${limit}): split it by what the files are.`);
  for (const entry of entries) if (entry.isDirectory()) walk(join(dir, entry.name));
}
walk('src');
for (const problem of problems) console.error(problem);
process.exit(problems.length > 0 ? 1 : 0);
