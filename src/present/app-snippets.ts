import { DEFAULT_DATABASE, DEFAULT_TENANT, type TargetPlace } from '../core/chroma/endpoint.js';

/**
 * The client code an app needs after the move: read the new .env, prefer the self-hosted
 * server when CHROMA_HOST is set, else Chroma Cloud. The token goes as "Authorization: Bearer",
 * which the proxy from deploy-guide checks (it accepts X-Chroma-Token too). The Done screen
 * and the README show these same strings for the default place (a test keeps the README in
 * step); data in another tenant or database adds the lines that read CHROMA_HOST_TENANT and
 * CHROMA_HOST_DATABASE. Lines stay under 80 columns: the wizard wraps longer ones with hard
 * line breaks, which breaks a copy.
 */
export function pythonClient(place: TargetPlace = {}): string {
  const [tenant, database] = placeParts(place);
  const lines = [
    ...(tenant ? ['        tenant=os.getenv("CHROMA_HOST_TENANT") or "default_tenant",'] : []),
    ...(database ? ['        database=os.getenv("CHROMA_HOST_DATABASE") or "default_database",'] : []),
  ];
  return PYTHON_CLIENT.replace(PYTHON_HEADERS, () => [PYTHON_HEADERS, ...lines].join('\n'));
}

export function jsClient(place: TargetPlace = {}): string {
  const [tenant, database] = placeParts(place);
  const lines = [
    ...(tenant ? ["      tenant: env.CHROMA_HOST_TENANT || 'default_tenant',"] : []),
    ...(database ? ["      database: env.CHROMA_HOST_DATABASE || 'default_database',"] : []),
  ];
  // A function, so that the `$` in the code is never read as a replacement pattern.
  return JS_CLIENT.replace(JS_HEADERS, () => [JS_HEADERS, ...lines].join('\n'));
}

/** Which of the two the app must be told: a client starts in the default ones unasked. */
function placeParts(place: TargetPlace): [boolean, boolean] {
  return [place.tenant !== undefined && place.tenant !== DEFAULT_TENANT, place.database !== undefined && place.database !== DEFAULT_DATABASE];
}

const PYTHON_HEADERS = '        headers={"Authorization": f"Bearer {token}"} if token else None,';
const JS_HEADERS = '      headers: token ? { Authorization: `Bearer ${token}` } : {},';

const PYTHON_CLIENT = `import os

import chromadb
from dotenv import load_dotenv

load_dotenv()
if os.getenv("CHROMA_HOST"):
    token = os.getenv("CHROMA_AUTH_TOKEN")
    client = chromadb.HttpClient(
        host=os.environ["CHROMA_HOST"],
        port=int(os.getenv("CHROMA_PORT", "8000")),
        ssl=os.getenv("CHROMA_SSL", "false").lower() == "true",
        headers={"Authorization": f"Bearer {token}"} if token else None,
    )
else:
    client = chromadb.CloudClient(
        api_key=os.environ["CHROMA_API_KEY"],
        tenant=os.environ["CHROMA_TENANT"],
        database=os.environ["CHROMA_DATABASE"],
    )`;

const JS_CLIENT = `import 'dotenv/config';
import { ChromaClient, CloudClient } from 'chromadb';

const env = process.env;
const token = env.CHROMA_AUTH_TOKEN;
const client = env.CHROMA_HOST
  ? new ChromaClient({
      host: env.CHROMA_HOST,
      port: Number(env.CHROMA_PORT || 8000),
      ssl: env.CHROMA_SSL === 'true',
      headers: token ? { Authorization: \`Bearer \${token}\` } : {},
    })
  : new CloudClient({
      apiKey: env.CHROMA_API_KEY,
      tenant: env.CHROMA_TENANT,
      database: env.CHROMA_DATABASE,
    });`;

/** The same rule as one call, for JS apps that depend on chroma-migrate. */
export const JS_CLIENT_SHORT = `import 'dotenv/config';
import { createChromaClient } from 'chroma-migrate';

const client = createChromaClient(process.env);`;
