import { DEPLOY_HOSTS, deployGuide, type DeployHost } from '../core/deploy/guide.js';
import { deployFiles } from '../core/deploy/files.js';
import { writeDeployFiles } from '../core/deploy/write.js';
import { guideToken } from '../core/deploy/guide-token.js';
import { emptyState, loadState } from '../core/state/store.js';
import { deployText } from '../present/deploy-text.js';
import { choiceOption } from '../cli/args.js';
import { EXIT } from '../cli/command.js';
import { defineCommand } from '../cli/define-command.js';

export const deployGuideCommand = defineCommand({
  name: 'deploy-guide',
  summary: 'Deploy Chroma 1.x (Railway, Docker, a VM) safely: the files, the steps, the token',
  usage: ['[--host railway|docker|vm] [--write DIR] [--json]'],
  description: `Prints the steps to deploy a self-hosted Chroma 1.x that keeps its data and is not open to the
internet: the pinned image, the volume at /data, HTTPS on 443, and a token-checking Caddy proxy in
front (1.x ignores CHROMA_SERVER_AUTHN_*). The token for the proxy is the CHROMA_AUTH_TOKEN already in
your .env (--dotenv), where the wizard keeps the one it makes, so the proxy and your app hold the
same one; only when .env has none it generates a strong one (32 random bytes, URL-safe) and shows it
once. It never writes .env, and the token is in none of the files.`,
  flags: {
    host: { type: 'string', arg: 'H', help: 'railway (default), docker, or vm (a VM with Docker)' },
    write: {
      type: 'string',
      arg: 'DIR',
      help: "write the files to deploy into DIR: for Railway a Caddyfile and the proxy's Dockerfile; for Docker or a VM a compose.yaml and a Caddyfile. A file already there with other content is kept as NAME.backup-<time>.",
    },
    json: { type: 'boolean', help: "print {host, token, tokenFrom ('env' or 'new'), files, sections} on stdout" },
  },
  examples: [
    { what: 'the Railway steps and files', run: 'chroma-migrate deploy-guide --write deploy' },
    { what: 'Docker Compose on your own machine or VM', run: 'chroma-migrate deploy-guide --host docker --write deploy' },
  ],

  async run({ values, io, json, writeJson, statePath }) {
    // "other" was this option's name for any host before the VM files existed.
    const requested = values.host === 'other' ? 'vm' : values.host;
    const host: DeployHost = choiceOption('host', requested, DEPLOY_HOSTS) ?? 'railway';
    // Only to say whose the token is: a state that cannot be read does not stop the guide.
    const token = await guideToken(values['env-file'] ?? '.env', await loadState(statePath).catch(() => emptyState()));
    const files = deployFiles(host);
    const written = values.write === undefined ? null : await writeDeployFiles(values.write, files);
    const sections = deployGuide(host, token, { dir: values.write ?? null });
    if (json) writeJson({ host, token: token.token, tokenFrom: token.from, files: files.map(({ name, role, text }) => ({ name, role, text })), written, sections });
    else io.stdout.write(`${deployText(files, written, sections)}\n`);
    return EXIT.ok;
  },
});
