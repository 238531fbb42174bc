// `* as z`, not `{ z }`: see ../zod-locale.ts.
import * as z from 'zod/mini';
import '../util/zod-locale.js';

/** How a token travels: a reverse proxy in front of Chroma 1.x, or the 0.x server's own auth. */
export const TokenHeaderSchema = z.enum(['authorization', 'x-chroma-token']);
export type TokenHeader = z.infer<typeof TokenHeaderSchema>;

export const CLOUD_HOST = 'api.trychroma.com';

/** One Chroma server we talk to. The token lives here in memory only, never in state or logs. */
const EndpointSchema = z.object({
  /** Base URL without a path, e.g. https://chroma.up.railway.app:443 */
  url: z.url({ protocol: /^https?$/ }),
  token: z.optional(z.string().check(z.minLength(1))),
  tokenHeader: z._default(TokenHeaderSchema, 'authorization'),
  tenant: z._default(z.string().check(z.minLength(1)), 'default_tenant'),
  database: z._default(z.string().check(z.minLength(1)), 'default_database'),
  /** Chroma Cloud: 300 records per read or write, x-chroma-token, tenant from the key. */
  cloud: z._default(z.boolean(), false),
  /** Resolve tenant/database from /auth/identity (Cloud keys are scoped to one). */
  resolveTenant: z._default(z.boolean(), false),
  /** Per-request timeout (ms); the default suits Railway's 5-minute cap. Tests shorten it. */
  timeoutMs: z.optional(z.number().check(z.int(), z.positive())),
});
export type Endpoint = z.infer<typeof EndpointSchema>;
export type EndpointInput = z.input<typeof EndpointSchema>;

export function endpoint(input: EndpointInput): Endpoint {
  return EndpointSchema.parse(input);
}

/** What may be shown or persisted about an endpoint: never the token. */
export function describeEndpoint(target: Endpoint): string {
  const where = target.cloud ? `Chroma Cloud (${target.tenant}/${target.database})` : target.url;
  return target.token ? `${where} with token ${maskSecret(target.token)}` : where;
}

/**
 * "••••wxyz": enough to tell two tokens apart, never enough to use or to narrow a guess. The
 * length is never shown, and a short secret (under 16 characters) shows no character at all.
 */
export function maskSecret(secret: string): string {
  return secret.length >= 16 ? `••••${secret.slice(-4)}` : '••••';
}

/**
 * A server or a proxy may echo the request's headers in its answer ("Invalid token: Bearer …"):
 * the secret is masked before any of the text can reach a message, as typed, JSON-escaped or
 * URL-encoded.
 */
export function withoutSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text;
  for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) out = out.split(form).join(maskSecret(secret));
  return out;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
