/** Shapes of the server's answers that more than one module of chroma/ reads. */
import type { Embedding, Metadata } from '../model/record.js';

export interface GetPage {
  ids: string[];
  embeddings: Array<Embedding | null> | null;
  documents: (string | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  uris: (string | null)[] | null;
}

export interface OpenApiDoc {
  components?: { schemas?: Record<string, OpenApiNode> };
}

export interface OpenApiNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, OpenApiNode>;
  additionalProperties?: boolean | OpenApiNode;
  items?: OpenApiNode;
  enum?: unknown[];
  oneOf?: OpenApiNode[];
  allOf?: OpenApiNode[];
  anyOf?: OpenApiNode[];
}
