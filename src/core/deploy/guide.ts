/**
 * The deployment steps for Chroma 1.x, written from what the old manual guide got wrong:
 * the volume path (/data, not /chroma/chroma), the port (443 on Railway's public domain, not
 * 8000), and auth (1.x ignores CHROMA_SERVER_AUTHN_*: a token-checking proxy does it).
 * The files the steps name (Caddyfile, Dockerfile, compose.yaml) come from deploy/files.ts.
 */
import { shellWord, shown } from '../util/format.js';
import type { GuideToken } from './guide-token.js';

export type DeployHost = 'railway' | 'docker' | 'vm';
export const DEPLOY_HOSTS = ['railway', 'docker', 'vm'] as const satisfies readonly DeployHost[];

/**
 * The server release this tool is tested against: the chromadb npm package's bindings 1.3.4 are
 * Chroma release 1.5.9, and images are tagged by release (there is no chromadb/chroma:1.3.4).
 */
export const CHROMA_IMAGE = 'chromadb/chroma:1.5.9';

export interface GuideSection {
  title: string;
  lines: string[];
}

export interface GuideOptions {
  /** Where the files were written, or null when the guide only names them. */
  dir: string | null;
}

const OPEN_ONLY_HEARTBEAT = [
  'Open without the token: only GET /api/v2/heartbeat, so health checks and `chroma-migrate ping`',
  'can tell the proxy and Chroma are up (it reveals nothing but a clock). Everything else',
  'answers 401 without the token.',
];

export function deployGuide(host: DeployHost, token: GuideToken, options: GuideOptions = { dir: null }): GuideSection[] {
  const where = options.dir ?? '<folder>';
  const files = options.dir ? [] : [`Get these files with: chroma-migrate deploy-guide --host ${host} --write ./chroma-deploy`];
  if (host === 'railway') return [...railwaySections(where, options.dir ? shellWord(options.dir) : where, files), ...commonSections(token, 'https://<name>.up.railway.app')];
  return [composeSection(host, where, files), ...commonSections(token, 'https://chroma.example.com')];
}

/** Why the proxy, the token, the cost and the next step: the same for every host. */
function commonSections(token: GuideToken, url: string): GuideSection[] {
  return [
    {
      title: 'Why a proxy for the token',
      lines: [
        'Chroma 1.x has no built-in authentication: CHROMA_SERVER_AUTHN_PROVIDER and',
        'CHROMA_SERVER_AUTHN_CREDENTIALS are silently ignored, so a server deployed with them is',
        'open to anyone on the internet. The Caddy proxy in front checks the token instead, in',
        'either header Chroma clients send: "Authorization: Bearer <token>" or "X-Chroma-Token: <token>".',
        ...OPEN_ONLY_HEARTBEAT,
        'The proxy reads the token from its environment on each request: it is in no file, and',
        'never in Caddy\'s saved config.',
      ],
    },
    tokenSection(token),
    {
      title: 'Monthly cost',
      lines: ['Railway (Hobby, one small Chroma + proxy, a few GB volume): about $10–13', 'Chroma Cloud Starter: $29'],
    },
    {
      title: 'Next: test it through the proxy, with the token',
      lines: [
        `chroma-migrate ping --url ${url}   (reads CHROMA_AUTH_TOKEN from .env, or pass --token)`,
        'It must pass "List collections" and show "Access without the token: refused".',
      ],
    },
  ];
}

/** The token to set on the proxy, and where it came from: the one in .env is shown again, never replaced. */
function tokenSection(token: GuideToken): GuideSection {
  if (token.from === 'new') {
    return {
      title: 'Your token (shown once — store it in your password manager)',
      lines: [token.token, 'Set it on the proxy as CHROMA_AUTH_TOKEN; `chroma-migrate env set` puts it in your app\'s .env.'],
    };
  }
  const file = shown(token.envFile);
  const whose = token.host
    ? [`This is the token your app already sends to ${shown(token.host)} (CHROMA_HOST in ${file}).`]
    : token.wizards
      ? [`This is the token the wizard made in step 2, waiting in ${file} for your new server.`]
      : [`This is the CHROMA_AUTH_TOKEN already in ${file} (not one the wizard made); your app sends it`, 'once CHROMA_HOST points at the new server.'];
  // Anyone who guesses it can read and delete every collection: one made here is 43 characters.
  const short = token.token.length < 32 ? [`! It is short (${token.token.length} characters): easy to guess. A new token is safer (below).`] : [];
  return {
    title: `Your token (CHROMA_AUTH_TOKEN from ${file})`,
    lines: [
      token.token,
      ...whose,
      ...short,
      'Set this same one on the proxy as CHROMA_AUTH_TOKEN: with another one there, the proxy',
      'refuses your app and chroma-migrate (401).',
      `For a new token instead: remove CHROMA_AUTH_TOKEN from ${file} and run deploy-guide again,`,
      `then put the new one on the proxy and in ${file} (chroma-migrate env set).`,
    ],
  };
}

/** `where` names the folder in prose; `cdWhere` is the same folder as a shell word, to paste. */
function railwaySections(where: string, cdWhere: string, files: string[]): GuideSection[] {
  return [
    {
      title: 'Railway: Chroma',
      lines: [
        `1. New project → Deploy a Docker image → ${CHROMA_IMAGE} (pinned: "latest" moves under you).`,
        '   Name the service "chroma".',
        '2. Add a volume mounted at /data. Chroma 1.x keeps its data in /data; a volume at',
        '   /chroma/chroma (the 0.x path in older guides) leaves the data on the ephemeral disk,',
        '   and every redeploy wipes it.',
        '3. Do NOT give this service a public domain: only the proxy talks to it, over Railway\'s',
        '   private network.',
      ],
    },
    {
      title: 'Railway: the token-checking proxy',
      lines: [
        `4. Deploy the folder ${where} (Dockerfile + Caddyfile) as a second service, e.g.`,
        `   cd ${cdWhere} && railway up   — or push it to a repo and add it as a GitHub service.`,
        '5. Variables on the proxy service (Railway sets PORT itself):',
        '     CHROMA_AUTH_TOKEN=<your token>',
        '     CHROMA_UPSTREAM=${{chroma.RAILWAY_PRIVATE_DOMAIN}}:8000',
        '6. Settings → Networking → Generate domain. Railway serves it over HTTPS on port 443',
        '   (its edge forwards to the proxy\'s PORT), so your app connects with:',
        '     CHROMA_HOST=<name>.up.railway.app  CHROMA_PORT=443  CHROMA_SSL=true',
        '   not :8000, which times out from outside. One request may take at most 5 minutes there.',
        '   If the proxy answers 502, it cannot reach Chroma: check CHROMA_UPSTREAM names the Chroma',
        '   service. Environments created before 16 Oct 2025 have an IPv6-only private network,',
        '   which Chroma (listening on IPv4) does not answer on: deploy into a new environment.',
        ...files,
      ],
    },
  ];
}

function composeSection(host: 'docker' | 'vm', where: string, files: string[]): GuideSection {
  const machine =
    host === 'docker'
      ? ['1. On a machine with Docker and a public IP, point a DNS name (A/AAAA record) at it.']
      : [
          '1. A VM (any cloud) with Docker installed and a public IP; point a DNS name (A/AAAA record)',
          '   at it. Open only ports 80 and 443 in its firewall (80 answers the certificate challenge',
          '   and redirects to HTTPS); never 8000.',
        ];
  return {
    title: host === 'docker' ? 'Docker: Chroma and the proxy with Docker Compose' : 'A VM: Chroma and the proxy with Docker Compose',
    lines: [
      ...machine,
      `2. Copy the folder ${where} (compose.yaml + Caddyfile) to it. Next to compose.yaml, create`,
      '   .env (chmod 600) with:',
      '     CHROMA_DOMAIN=chroma.example.com',
      '     CHROMA_AUTH_TOKEN=<your token>',
      '3. docker compose up -d',
      `   Chroma (${CHROMA_IMAGE}) keeps its data on the volume chroma-data at /data and is`,
      '   reachable only from the proxy; the proxy serves HTTPS on your domain with a certificate',
      '   it gets from Let\'s Encrypt by itself. Your app connects with:',
      '     CHROMA_HOST=chroma.example.com  CHROMA_PORT=443  CHROMA_SSL=true',
      '   Without a domain (an IP, or localhost) Caddy signs with its own CA, which clients do not',
      '   trust: give them its root.crt (Node: NODE_EXTRA_CA_CERTS=root.crt) or, better, a domain.',
      ...files,
    ],
  };
}
