/** What a retryable failure tells about itself (a ChromaRequestError is one). */
export interface RetryableFailure extends Error {
  retryable: boolean;
  /** 'timeout' failures have their own, smaller budget. */
  kind?: string;
  /** A server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

function isRetryableFailure(error: unknown): error is RetryableFailure {
  return error instanceof Error && (error as Partial<RetryableFailure>).retryable === true;
}

export interface RetryOptions {
  /** Attempts after the first. */
  retries?: number;
  /**
   * Of those, how many may follow a timeout. Each costs a whole timeout of waiting: a server
   * that has stopped answering should end in a clear error within minutes, not a quarter hour.
   */
  timeoutRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** `of`: the retries allowed in all. */
  onRetry?: (info: { attempt: number; of: number; delayMs: number; error: RetryableFailure }) => void;
  /** Which failures may pass on another try; by default those that say they are retryable. */
  isRetryable?: (error: unknown) => error is RetryableFailure;
}

/**
 * Retries what the network or a busy server makes fail for a moment (dropped connections,
 * timeouts, 429, 5xx) with exponential backoff and jitter; honours Retry-After. Anything else
 * (401, 404, 422 quota, bad input) fails at once: retrying cannot fix it.
 */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 6;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const timeoutRetries = options.timeoutRetries ?? 2;
  let timeouts = 0;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      if (!(options.isRetryable ?? isRetryableFailure)(error) || attempt >= retries) throw error;
      if (error.kind === 'timeout' && ++timeouts > timeoutRetries) throw error;
      if (options.signal?.aborted) throw error;
      const backoff = Math.min(max, base * 2 ** attempt) * (0.5 + Math.random() / 2);
      const delayMs = Math.min(max, Math.max(backoff, error.retryAfterMs ?? 0));
      options.onRetry?.({ attempt: attempt + 1, of: retries, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
