import { CHROMA_IMAGE, type DeployHost } from './guide.js';
import { caddyfile } from './caddyfile.js';

/** One file the user deploys, as `deploy-guide --write DIR` writes it. */
export interface DeployFile {
  name: string;
  /** Where it goes, in a few words (the guide repeats it). */
  role: string;
  text: string;
}

/** The proxy's image: the official one, whose default command runs /etc/caddy/Caddyfile. */
const CADDY_IMAGE = 'caddy:2';

function railwayDockerfile(): string {
  return [
    '# The token-checking proxy for Railway: deploy this folder as its own service.',
    '# Variables to set on it: CHROMA_AUTH_TOKEN and CHROMA_UPSTREAM (Railway sets PORT).',
    `FROM ${CADDY_IMAGE}`,
    'COPY Caddyfile /etc/caddy/Caddyfile',
    '',
  ].join('\n');
}

function composeFile(): string {
  return [
    '# chroma-migrate: Chroma 1.x behind a token-checking Caddy that serves HTTPS on your domain.',
    '# Next to this file, create .env (chmod 600; it holds the token) with:',
    '#   CHROMA_DOMAIN=chroma.example.com   # its DNS record points at this machine',
    '#   CHROMA_AUTH_TOKEN=<the token from chroma-migrate deploy-guide>',
    '# then: docker compose up -d',
    'services:',
    '  chroma:',
    `    image: ${CHROMA_IMAGE}`,
    '    restart: unless-stopped',
    '    volumes:',
    '      # Chroma 1.x keeps its data in /data (not /chroma/chroma, the 0.x path).',
    '      - chroma-data:/data',
    '    # No ports: only the proxy reaches Chroma, over the compose network.',
    '  proxy:',
    `    image: ${CADDY_IMAGE}`,
    '    restart: unless-stopped',
    '    depends_on:',
    '      - chroma',
    '    ports:',
    '      - "80:80"',
    '      - "443:443"',
    '    environment:',
    '      CHROMA_DOMAIN: ${CHROMA_DOMAIN:?set CHROMA_DOMAIN in the .env next to compose.yaml}',
    '      CHROMA_AUTH_TOKEN: ${CHROMA_AUTH_TOKEN:?set CHROMA_AUTH_TOKEN in the .env next to compose.yaml}',
    '      CHROMA_UPSTREAM: chroma:8000',
    '    volumes:',
    '      - ./Caddyfile:/etc/caddy/Caddyfile:ro',
    '      # Caddy\'s certificates and keys survive a restart.',
    '      - caddy-data:/data',
    '      - caddy-config:/config',
    'volumes:',
    '  chroma-data:',
    '  caddy-data:',
    '  caddy-config:',
    '',
  ].join('\n');
}

/** What the user deploys on each host. The token is in none of them: it goes in variables. */
export function deployFiles(host: DeployHost): DeployFile[] {
  if (host === 'railway') {
    return [
      { name: 'Caddyfile', role: 'the proxy\'s configuration (copied into the image by the Dockerfile)', text: caddyfile('port') },
      { name: 'Dockerfile', role: 'the proxy service: deploy this folder to Railway as its own service', text: railwayDockerfile() },
    ];
  }
  return [
    { name: 'compose.yaml', role: 'Chroma and the proxy: docker compose up -d in this folder', text: composeFile() },
    { name: 'Caddyfile', role: 'the proxy\'s configuration (mounted by compose.yaml)', text: caddyfile('domain') },
  ];
}
