import { spawnSync } from 'node:child_process';

const READ = 'import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))';

/** Whether python3 with python-dotenv is on this machine: the checks against the real one run only then. */
export const hasPythonDotenv = spawnSync('python3', ['-c', 'import dotenv'], { stdio: 'ignore' }).status === 0;

/** The .env at `path` as python-dotenv reads it by default (dotenv_values, ${…} expanded). */
export function pythonDotenvValues(path: string): Record<string, string | null> {
  const run = spawnSync('python3', ['-c', READ, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python-dotenv could not read ${path}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string | null>;
}
