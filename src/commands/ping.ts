import { ChromaApi } from '../core/chroma/api.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { appNeedsOnServer } from '../core/collection/app-needs.js';
import { cloudHostedLines } from '../present/embeddings.js';
import { probe, type CheckResult } from '../core/chroma/probe.js';
import { recordStepDone } from '../core/state/record-step.js';
import { statePath } from '../core/state/store.js';
import { parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import type { CommandIo } from '../cli/io.js';

const OPTIONS = { json: { type: 'boolean' }, ...TARGET_OPTIONS } as const;

const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '–' } as const;

export const pingCommand: Command = {
  name: 'ping',
  summary: 'Test the connection to the self-hosted server, check by check',
  help: `Usage: chroma-migrate ping [--url U] [--token T] [--json]

Runs named checks in order and stops at the first that fails, each with its fix:
host name → port → TLS → /api/v2/heartbeat → version → an authenticated call (list
collections) with the token → the same call without it (a public server that answers is
open to anyone: a loud warning) → the server's batch limit.

${TARGET_HELP}

When every check passes, step 3 (and step 2, if open) is marked done for chroma-migrate status.

Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 usage.`,

  async run(args, io) {
    const { values } = parseCommandArgs('ping', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const { target, notes } = targetFrom(values, envFor(values, io.env));
    const checks: CheckResult[] = [];
    if (!values.json) {
      for (const note of notes) io.stderr.write(`! ${note}\n`);
      io.stderr.write(`Testing ${describeEndpoint(target)}\n`);
    }
    for await (const check of probe(target, { signal: io.signal })) {
      checks.push(check);
      if (values.json) continue;
      io.stdout.write(`${MARK[check.status]} ${check.title}: ${check.detail}\n`);
      if (check.fix && check.status !== 'pass') io.stdout.write(`    → ${check.fix}\n`);
    }
    const ok = checks.every((check) => check.status !== 'fail');
    if (ok) await recordConnected(io, statePath(values.state, io.env), target.url);
    if (values.json) writeJson(io, { ok, url: target.url, notes, checks });
    else io.stdout.write(ok ? `Connection OK: ${target.url}\n` : 'Connection test failed.\n');
    // What the app needs: a Cloud-hosted embedding function stops embedding queries with the Cloud key.
    if (ok && !values.json) {
      const needs = await appNeedsOnServer(new ChromaApi(target), { signal: io.signal }).catch(() => []);
      for (const line of cloudHostedLines(needs)) io.stdout.write(`${line}\n`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
};

/**
 * Step 3 is done, and the server it reached is the migration's target. A server that answers
 * is deployed, so step 2 is done too if nothing marked it (a Railway deploy has no command).
 */
async function recordConnected(io: CommandIo, path: string, url: string): Promise<void> {
  await recordStepDone(path, 'connect', url, (state) => ({
    targetUrl: url,
    steps: state.steps.deploy?.status === 'done' || state.steps.deploy?.status === 'skipped' ? state.steps : { ...state.steps, deploy: { status: 'done', at: new Date().toISOString(), detail: `reachable at ${url}` } },
  })).catch((error: unknown) => io.stderr.write(`! Could not record step 3 in ${path}: ${(error as Error).message}\n`));
}
