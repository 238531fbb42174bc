/**
 * The deployment steps for Chroma 1.x, written from what the old manual guide got wrong:
 * the volume path (/data, not /chroma/chroma), the port (443 on Railway's public domain, not
 * 8000), and auth (1.x ignores CHROMA_SERVER_AUTHN_*: a token-checking proxy does it).
 */
export type DeployHost = 'railway' | 'docker' | 'other';

/**
 * The server release this tool is tested against: the chromadb npm package's bindings 1.3.4 are
 * Chroma release 1.5.9, and images are tagged by release (there is no chromadb/chroma:1.3.4).
 */
export const CHROMA_IMAGE = 'chromadb/chroma:1.5.9';

export interface GuideSection {
  title: string;
  lines: string[];
}

export function caddyfile(upstream: string): string[] {
  return [
    '{',
    '  admin off',
    '}',
    ':{$PORT:8080} {',
    '  # Health checks stay open: they reveal nothing.',
    '  @open path /api/v2/heartbeat /api/v2/version',
    `  handle @open { reverse_proxy ${upstream} }`,
    '  @authorized header Authorization "Bearer {$CHROMA_AUTH_TOKEN}"',
    `  handle @authorized { reverse_proxy ${upstream} }`,
    '  respond "Unauthorized" 401',
    '}',
  ];
}

export function deployGuide(host: DeployHost, token: string): GuideSection[] {
  const auth: GuideSection = {
    title: 'Why a proxy for the token',
    lines: [
      'Chroma 1.x has no built-in authentication: CHROMA_SERVER_AUTHN_PROVIDER and',
      'CHROMA_SERVER_AUTHN_CREDENTIALS are silently ignored, so a server deployed with them is',
      'open to anyone on the internet. A small Caddy proxy in front checks the token instead.',
      '`chroma-migrate ping` tells you whether your server refuses calls without the token.',
    ],
  };
  const tokenSection: GuideSection = {
    title: 'Your token (shown once — store it in your password manager)',
    lines: [token, 'Put it in the proxy as CHROMA_AUTH_TOKEN and in your app\'s .env as CHROMA_AUTH_TOKEN.'],
  };
  const cost: GuideSection = {
    title: 'Monthly cost',
    lines: ['Railway (Hobby, one small Chroma + proxy, a few GB volume): about $10–13', 'Chroma Cloud Starter: $29'],
  };
  if (host === 'railway') {
    return [
      {
        title: 'Railway: Chroma',
        lines: [
          `1. New project → Deploy a Docker image → ${CHROMA_IMAGE} (pin the version; "latest" moves under you).`,
          '2. Add a volume mounted at /data. Chroma 1.x keeps its data in /data; a volume at',
          '   /chroma/chroma (the 0.x path in older guides) leaves the data on the ephemeral disk,',
          '   and every redeploy wipes it.',
          '3. Do NOT give this service a public domain: only the proxy below talks to it, over',
          '   Railway\'s private network (chroma.railway.internal:8000).',
        ],
      },
      {
        title: 'Railway: the token-checking proxy',
        lines: [
          '4. New service → Docker image caddy:2 → add this file as /etc/caddy/Caddyfile',
          '   (or build from a two-line Dockerfile that copies it):',
          ...caddyfile('chroma.railway.internal:8000').map((line) => `     ${line}`),
          '5. Variables on the proxy: CHROMA_AUTH_TOKEN=<your token>.',
          '6. Settings → Networking → Generate domain. Railway serves it over HTTPS on port 443',
          '   (its edge forwards to the service\'s port), so your app connects with:',
          '     CHROMA_HOST=<name>.up.railway.app  CHROMA_PORT=443  CHROMA_SSL=true',
          '   not :8000, which times out from outside. One request may take at most 5 minutes there.',
        ],
      },
      auth,
      tokenSection,
      cost,
      { title: 'Next', lines: ['chroma-migrate ping --url https://<name>.up.railway.app  (reads CHROMA_AUTH_TOKEN from .env)'] },
    ];
  }
  if (host === 'docker') {
    return [
      {
        title: 'Docker',
        lines: [
          `docker run -d --name chroma --restart unless-stopped -p 127.0.0.1:8000:8000 -v ./chroma-data:/data ${CHROMA_IMAGE}`,
          'The volume must be at /data (Chroma 1.x\'s path). Port 8000 is bound to localhost only;',
          'to reach it from other machines, put the proxy below in front and publish only the proxy.',
          ...caddyfile('localhost:8000').map((line) => `  ${line}`),
        ],
      },
      auth,
      tokenSection,
      cost,
      { title: 'Next', lines: ['chroma-migrate ping --url http://localhost:8000'] },
    ];
  }
  return [
    {
      title: 'Any host (a VM, Fly.io, Render, Kubernetes…)',
      lines: [
        `Run the image ${CHROMA_IMAGE} with persistent storage mounted at /data, reachable only`,
        'from a token-checking reverse proxy (Caddy below, or nginx) that serves HTTPS:',
        ...caddyfile('127.0.0.1:8000').map((line) => `  ${line}`),
        'Or on this machine: chroma-migrate serve --path ./chroma-data --port 8000',
      ],
    },
    auth,
    tokenSection,
    cost,
    { title: 'Next', lines: ['chroma-migrate ping --url https://<your-host>'] },
  ];
}
