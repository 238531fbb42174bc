/**
 * Glue between a byte source and a synchronous consumer (JSON scanner or line reader): feed
 * chunks, hand out what each chunk produced, stop reading as soon as the consumer is done.
 * Pulling is lazy, so a slow caller holds back reading: memory stays at about one chunk.
 */
import { readChunks, type ByteSource } from './byte-source.js';

export interface ChunkConsumer {
  write(chunk: Buffer): void;
  end(): void;
  readonly done: boolean;
}

/** `from`: start at this offset of the (decompressed) text instead of its beginning. */
export async function* drive<T>(source: ByteSource, consumer: ChunkConsumer, take: () => T[], from = 0): AsyncGenerator<T[]> {
  for await (const chunk of readChunks(source, undefined, from)) {
    consumer.write(chunk);
    const items = take();
    if (items.length > 0) yield items;
    if (consumer.done) return; // leaving the loop closes the file
  }
  consumer.end();
  const items = take();
  if (items.length > 0) yield items;
}

/** Consumes a source completely, for passes that only collect state. */
export async function consume(source: ByteSource, consumer: ChunkConsumer): Promise<void> {
  for await (const _ of drive(source, consumer, () => [])) {
    // nothing is produced
  }
}

/** Regroups arrays of any size into arrays of exactly `size` (the last may be shorter). */
export async function* rebatch<T>(input: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const items of input) {
    for (const item of items) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
