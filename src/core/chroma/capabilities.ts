/**
 * What a target server can hold. /api/v2/version answers "1.0.0" on every 1.x server (FACTS),
 * so this reads the server's route and schema list instead.
 */
import type { ChromaApi } from './api.js';
import { chromaRequest } from './http.js';

export interface ServerCapabilities {
  /** Collection schemas (release 1.3+). */
  schema: boolean;
  /** List metadata values (release 1.5+). */
  arrays: boolean;
}

export async function detectCapabilities(api: ChromaApi, options: { signal?: AbortSignal } = {}): Promise<ServerCapabilities> {
  const spec = await chromaRequest<{ components?: { schemas?: Record<string, unknown> } }>(api.target, 'GET', '/openapi.json', options).catch(() => null);
  const schemas = spec?.components?.schemas ?? {};
  const schema = 'Schema' in schemas;
  // Lists arrived with the release that also added sparse vector value types to the schema.
  return { schema, arrays: schema && 'SparseVectorValueType' in schemas };
}
