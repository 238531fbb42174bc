import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeRecords } from './fixtures.js';

const INGEST_SCRIPT = fileURLToPath(new URL('../fixtures/ingest-script.mjs', import.meta.url));

/** POSIX single quotes: safe for any path a temp dir can have. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The fixture ingestion script as a shell command line, the way a user would type theirs. */
export function ingestScript(args: string): string {
  return `${shellQuote(process.execPath)} ${shellQuote(INGEST_SCRIPT)} ${args}`;
}

/** A project .env after step 4: the Cloud keys kept as the fallback, the self-hosted ones added. */
export async function writeProjectEnv(path: string, serverUrl: string, token: string): Promise<void> {
  const url = new URL(serverUrl);
  await writeFile(
    path,
    [
      '# Chroma Cloud — the fallback',
      'CHROMA_API_KEY=ck-from-dotenv-0123456789',
      'CHROMA_TENANT=tenant-from-dotenv',
      'CHROMA_DATABASE=audits',
      '# self-hosted',
      `CHROMA_HOST=${url.hostname}`,
      `CHROMA_PORT=${url.port}`,
      'CHROMA_SSL=false',
      `CHROMA_AUTH_TOKEN=${token}`,
      '',
    ].join('\n'),
  );
}

/** A collection holding `count` records, as the import step leaves it. */
export async function seedCollection(serverUrl: string, name: string, count: number, dim = 16): Promise<void> {
  const api = new ChromaApi(endpoint({ url: serverUrl }));
  const info = (await api.findCollection(name)) ?? (await api.createCollection({ name, metadata: null, space: 'cosine' }));
  const records = makeRecords(count, { dim, prefix: name });
  for (let at = 0; at < records.length; at += 500) await api.upsert(info.id, records.slice(at, at + 500), { base64: false });
}

export async function countOf(serverUrl: string, name: string): Promise<number | null> {
  const api = new ChromaApi(endpoint({ url: serverUrl }));
  const info = await api.findCollection(name);
  return info ? api.count(info.id) : null;
}
