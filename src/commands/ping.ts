import { ChromaApi } from '../core/chroma/api.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { appNeedsOnServer } from '../core/collection/app-needs.js';
import { cloudHostedLines } from '../present/embeddings.js';
import { probe, type CheckResult } from '../core/chroma/probe.js';
import { recordStepDone } from '../core/state/record-step.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';

const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '–' } as const;

export const pingCommand = defineCommand({
  name: 'ping',
  summary: 'Test the connection to the self-hosted server, check by check',
  usage: ['[--url U] [--token T] [--json]'],
  description: `Runs named checks in order and stops at the first that fails, each with its fix: host name →
port → TLS → /api/v2/heartbeat → version → an authenticated call (list collections) with the token →
the same call without it (a public server that answers is open to anyone: a loud warning) → the
server's batch limit.`,
  flags: { json: { type: 'boolean', help: 'print the checks as JSON on stdout' }, ...TARGET_FLAGS },
  groups: CONNECTION_GROUPS,
  notes: 'When every check passes, step 3 (and step 2, if open) is marked done for chroma-migrate status.',
  examples: [
    { what: 'the server in .env (or localhost:8000)', run: 'chroma-migrate ping' },
    { what: 'a deployed server, its token in CHROMA_AUTH_TOKEN', run: 'chroma-migrate ping --url https://chroma.example.com' },
  ],
  exitCodes: '0 every check passed (warnings allowed), 1 a check failed, 2 usage.',

  async run({ io, json, target, statePath, say, writeJson }) {
    const { target: endpoint, notes } = target();
    const checks: CheckResult[] = [];
    const out = (line: string) => io.stdout.write(`${line}\n`);
    if (!json) for (const line of [...notes.map((note) => `! ${note}`), `Testing ${describeEndpoint(endpoint)}`]) say(line);
    for await (const check of probe(endpoint, { signal: io.signal })) {
      checks.push(check);
      if (json) continue;
      out(`${MARK[check.status]} ${check.title}: ${check.detail}`);
      if (check.fix && check.status !== 'pass') out(`    → ${check.fix}`);
    }
    const ok = checks.every((check) => check.status !== 'fail');
    if (ok) await recordConnected(statePath, endpoint.url).catch((error: unknown) => say(`! Could not record step 3 in ${statePath}: ${(error as Error).message}`));
    if (json) writeJson({ ok, url: endpoint.url, notes, checks });
    else out(ok ? `Connection OK: ${endpoint.url}` : 'Connection test failed.');
    // What the app needs: a Cloud-hosted embedding function stops embedding queries with the Cloud key.
    if (ok && !json) {
      const needs = await appNeedsOnServer(new ChromaApi(endpoint), { signal: io.signal }).catch(() => []);
      for (const line of cloudHostedLines(needs)) out(line);
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
});

/**
 * Step 3 is done, and the server it reached is the migration's target. A server that answers
 * is deployed, so step 2 is done too if nothing marked it (a Railway deploy has no command).
 */
async function recordConnected(path: string, url: string): Promise<void> {
  await recordStepDone(path, 'connect', url, (state) => ({
    targetUrl: url,
    steps: state.steps.deploy?.status === 'done' || state.steps.deploy?.status === 'skipped' ? state.steps : { ...state.steps, deploy: { status: 'done', at: new Date().toISOString(), detail: `reachable at ${url}` } },
  }));
}
