import type { DeployFile } from '../core/deploy/files.js';
import type { GuideSection } from '../core/deploy/guide.js';
import type { WrittenFile } from '../core/deploy/write.js';

function fileLines(files: readonly DeployFile[], written: readonly WrittenFile[] | null): string[] {
  if (!written) return files.map((file) => `${file.name} — ${file.role}`);
  return written.map((file) => {
    const role = files.find((candidate) => file.path.endsWith(candidate.name))?.role ?? '';
    const outcome = file.outcome === 'unchanged' ? 'already up to date' : file.outcome === 'replaced' ? `replaced (your version kept as ${file.backup})` : 'written';
    return `${file.path} — ${outcome}: ${role}`;
  });
}

/** The deploy guide as text: the files (written or to write), then each section under its title. */
export function deployText(files: readonly DeployFile[], written: readonly WrittenFile[] | null, sections: readonly GuideSection[]): string {
  const all = [{ title: written ? 'Files' : 'The files to deploy (add --write DIR to get them)', lines: fileLines(files, written) }, ...sections];
  return all.map((section) => `${section.title}\n${'─'.repeat(Math.min(section.title.length, 78))}\n${section.lines.join('\n')}`).join('\n\n');
}
