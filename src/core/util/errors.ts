/**
 * Errors are values the faces can explain: a stable code, a message in words,
 * and the fix. Faces print `message` and `fix` and never a stack trace for these.
 */
export type ErrorCode =
  | 'BAD_BACKUP'
  | 'BAD_INPUT'
  // The command line itself is wrong (a flag unknown, missing or malformed): exit 2.
  | 'USAGE'
  | 'BAD_STATE'
  | 'CONNECTION'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'QUOTA'
  | 'SERVER'
  | 'SERVER_START'
  | 'EXISTS'
  | 'NEEDS_ANSWER'
  | 'MISMATCH'
  // The target cannot store a value the backup holds (sparse vectors, or lists on an old server).
  | 'CANNOT_HOLD'
  | 'INTERRUPTED'
  // Another run holds the file (its lock names the process).
  | 'LOCKED'
  | 'IO';

export class MigrateError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, fix?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrateError';
    this.code = code;
    this.fix = fix;
  }
}

export function isMigrateError(error: unknown): error is MigrateError {
  return error instanceof MigrateError;
}
