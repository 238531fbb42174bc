import { randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe: paste-able into a proxy config and an .env without quoting. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
