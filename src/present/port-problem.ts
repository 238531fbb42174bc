import type { PortProblem } from '../core/local-server/local-port.js';

/** Why a local server cannot start on the port, as a sentence without its full stop (both faces add their own way out). */
export function describePortProblem(port: number, problem: PortProblem): string {
  switch (problem) {
    case 'chroma':
      return `A Chroma server already answers on port ${port} (http://localhost:${port})`;
    case 'in-use':
      return `Port ${port} is in use by another program on this machine`;
    case 'no-permission':
      return `Port ${port} needs administrator rights on this machine (as do all ports below 1024)`;
  }
}
