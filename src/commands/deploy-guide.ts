import { deployGuide, type DeployHost } from '../core/deploy-guide.js';
import { generateToken } from '../core/token.js';
import { choiceOption, parseCommandArgs } from './args.js';
import { EXIT, writeJson, type Command } from './command.js';

const OPTIONS = { host: { type: 'string' }, json: { type: 'boolean' } } as const;

export const deployGuideCommand: Command = {
  name: 'deploy-guide',
  summary: 'How to deploy Chroma 1.x (Railway, Docker, other) safely, with a fresh token',
  help: `Usage: chroma-migrate deploy-guide [--host railway|docker|other] [--json]

Prints the steps to deploy a self-hosted Chroma 1.x that keeps its data and is not open to
the internet: the pinned image, the volume at /data, HTTPS on 443 for Railway, and a
token-checking proxy (1.x ignores CHROMA_SERVER_AUTHN_*). Generates a strong token (32
random bytes, URL-safe) and shows it once; it is not saved anywhere.`,

  async run(args, io) {
    const { values } = parseCommandArgs('deploy-guide', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const host: DeployHost = choiceOption('host', values.host, ['railway', 'docker', 'other'] as const) ?? 'railway';
    const token = generateToken();
    const sections = deployGuide(host, token);
    if (values.json) {
      writeJson(io, { host, token, sections });
      return EXIT.ok;
    }
    const text = sections.map((section) => `${section.title}\n${'─'.repeat(Math.min(section.title.length, 78))}\n${section.lines.join('\n')}`).join('\n\n');
    io.stdout.write(`${text}\n`);
    return EXIT.ok;
  },
};
