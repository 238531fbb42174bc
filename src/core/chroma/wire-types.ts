/** Shapes of the server's answers that more than one module of chroma/ reads. */
import type { Embedding, Metadata } from '../model/record.js';

export interface GetPage {
  ids: string[];
  embeddings: Array<Embedding | null> | null;
  documents: (string | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  uris: (string | null)[] | null;
  /**
   * When the reader compared the embeddings as it read them (float-page.ts EmbeddingCheck),
   * instead of `embeddings`: 1 where the embedding at that index is the one expected. Always a
   * Uint8Array, which no JSON can produce: a server's own "embeddingsMatch" field is not this.
   */
  embeddingsMatch?: Uint8Array;
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
