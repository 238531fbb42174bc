import { DEPLOY_HOSTS, deployGuide, type DeployHost } from '../core/deploy/guide.js';
import { deployFiles } from '../core/deploy/files.js';
import { writeDeployFiles } from '../core/deploy/write.js';
import { generateToken } from '../core/deploy/token.js';
import { choiceOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';

const OPTIONS = { host: { type: 'string' }, write: { type: 'string' }, json: { type: 'boolean' } } as const;

export const deployGuideCommand: Command = {
  name: 'deploy-guide',
  summary: 'Deploy Chroma 1.x (Railway, Docker, a VM) safely: the files, the steps, a fresh token',
  help: `Usage: chroma-migrate deploy-guide [--host railway|docker|vm] [--write DIR] [--json]

Prints the steps to deploy a self-hosted Chroma 1.x that keeps its data and is not open to
the internet: the pinned image, the volume at /data, HTTPS on 443, and a token-checking Caddy
proxy in front (1.x ignores CHROMA_SERVER_AUTHN_*). Generates a strong token (32 random
bytes, URL-safe) and shows it once; it is saved nowhere, not even in the files.

  --host H      railway (default), docker, or vm (a VM with Docker)
  --write DIR   write the files to deploy into DIR: for Railway a Caddyfile and the proxy's
                Dockerfile; for Docker or a VM a compose.yaml and a Caddyfile. A file already
                there with other content is kept as NAME.backup-<time>.
  --json        print {host, token, files, sections} on stdout`,

  async run(args, io) {
    const { values } = parseCommandArgs('deploy-guide', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    // "other" was this option's name for any host before the VM files existed.
    const requested = values.host === 'other' ? 'vm' : values.host;
    const host: DeployHost = choiceOption('host', requested, DEPLOY_HOSTS) ?? 'railway';
    const token = generateToken();
    const files = deployFiles(host);
    const written = values.write === undefined ? null : await writeDeployFiles(values.write, files);
    const sections = deployGuide(host, token, { dir: values.write ?? null });
    if (values.json) {
      writeJson(io, { host, token, files: files.map(({ name, role, text }) => ({ name, role, text })), written, sections });
      return EXIT.ok;
    }
    const fileLines = written
      ? written.map((file) => {
          const role = files.find((candidate) => file.path.endsWith(candidate.name))?.role ?? '';
          const outcome = file.outcome === 'unchanged' ? 'already up to date' : file.outcome === 'replaced' ? `replaced (your version kept as ${file.backup})` : 'written';
          return `${file.path} — ${outcome}: ${role}`;
        })
      : files.map((file) => `${file.name} — ${file.role}`);
    const all = [{ title: written ? 'Files' : 'The files to deploy (add --write DIR to get them)', lines: fileLines }, ...sections];
    const text = all.map((section) => `${section.title}\n${'─'.repeat(Math.min(section.title.length, 78))}\n${section.lines.join('\n')}`).join('\n\n');
    io.stdout.write(`${text}\n`);
    return EXIT.ok;
  },
};
