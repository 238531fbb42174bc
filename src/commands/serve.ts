import { startChromaServer } from '../core/server/chroma-server.js';
import { intOption, parseCommandArgs } from './args.js';
import { EXIT, type Command } from './command.js';

const OPTIONS = {
  path: { type: 'string' },
  port: { type: 'string' },
} as const;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run a local Chroma server (the one in the chromadb package) until Ctrl-C',
  help: `Usage: chroma-migrate serve [--path DIR] [--port N]

Starts the Chroma 1.x server that ships in the chromadb npm package, persisting to DIR
(default ./chroma-data), on localhost port N (default 8000). It is the default target of
import and verify. On systems older than glibc 2.39 (Debian 12, Ubuntu 22.04) it fetches
Debian's newer C libraries into ~/.cache/chroma-migrate once, without touching the system.
Stop it with Ctrl-C. Its log is DIR/chroma-server.log.`,

  async run(args, io) {
    const { values } = parseCommandArgs('serve', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const path = values.path ?? './chroma-data';
    const port = intOption('port', values.port, { max: 65_535 }) ?? 8000;
    io.stderr.write(`Starting Chroma on port ${port} (data in ${path})…\n`);
    const server = await startChromaServer({ path, port });
    io.stderr.write(`✓ Chroma is listening on ${server.url} — data in ${server.path}\n  Log: ${server.logFile}\n  Press Ctrl-C to stop.\n`);
    const stopped = new Promise<'signal'>((resolve) => io.signal.addEventListener('abort', () => resolve('signal'), { once: true }));
    const outcome = await Promise.race([stopped, server.exited]);
    if (outcome === 'signal') {
      await server.stop();
      io.stderr.write('Chroma stopped.\n');
      return EXIT.ok;
    }
    io.stderr.write(`✗ The Chroma server exited by itself (code ${outcome}). See ${server.logFile}.\n`);
    return EXIT.failed;
  },
};
