// `* as z`, not `{ z }`: see ../zod-locale.ts.
import * as z from 'zod/mini';
import '../util/zod-locale.js';

/** How a token travels: a reverse proxy in front of Chroma 1.x, or the 0.x server's own auth. */
export const TokenHeaderSchema = z.enum(['authorization', 'x-chroma-token']);
export type TokenHeader = z.infer<typeof TokenHeaderSchema>;

export const CLOUD_HOST = 'api.trychroma.com';

/** The tenant every Chroma server has from its start, and the one a run uses when none is named. */
export const DEFAULT_TENANT = 'default_tenant';

/** The database every Chroma server has from its start, and the one a run uses when none is named. */
export const DEFAULT_DATABASE = 'default_database';

/** Where on a server the data is; a part left out is the default one (or, in the state, not one alone). */
export interface TargetPlace {
  tenant?: string;
  database?: string;
}

/** One Chroma server we talk to. The token lives here in memory only, never in state or logs. */
const EndpointSchema = z.object({
  /** Base URL without a path, e.g. https://chroma.up.railway.app:443 */
  url: z.url({ protocol: /^https?$/ }),
  token: z.optional(z.string().check(z.minLength(1))),
  tokenHeader: z._default(TokenHeaderSchema, 'authorization'),
  tenant: z._default(z.string().check(z.minLength(1)), DEFAULT_TENANT),
  database: z._default(z.string().check(z.minLength(1)), DEFAULT_DATABASE),
  /** Chroma Cloud: 300 records per read or write, x-chroma-token, tenant from the key. */
  cloud: z._default(z.boolean(), false),
  /**
   * The server the data is read from: a refused connection there is never answered with "start
   * one" (an empty server is not the user's data).
   */
  source: z._default(z.boolean(), false),
  /**
   * A data folder served for the run (sources/folder/open.ts): the source is the folder, named by
   * its path, not by the passing address of the server on its copy.
   */
  folder: z.optional(
    z.object({
      path: z.string(),
      /** The address versions before named it by (its usual port): an export they began resumes. */
      formerUrl: z.string(),
    }),
  ),
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

type SourceIdentity = Pick<Endpoint, 'url' | 'tenant' | 'folder'>;

/**
 * What the state records as where an export's data came from, never a token: `…/tenant` and,
 * given one, `/database`. A server by its URL; a data folder by its path, so a run after a kill
 * resumes whatever port the folder's copy is served on.
 */
export function sourceKey(source: SourceIdentity, database?: string): string {
  return `${source.folder?.path ?? source.url}/${source.tenant}${database === undefined ? '' : `/${database}`}`;
}

/** Every key that names this source in a state: sourceKey's, and a data folder's former one. */
export function sourceKeys(source: SourceIdentity, database?: string): string[] {
  const keys = [sourceKey(source, database)];
  if (source.folder) keys.push(sourceKey({ ...source, folder: undefined, url: source.folder.formerUrl }, database));
  return keys;
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
 * A server or a proxy may echo the request's headers in its answer ("Invalid token: Bearer …"),
 * in any spelling: JSON or URL escapes, HTML entities, upper case, split across lines, cut short.
 * Masking the forms we can think of leaks the others, so an answer that holds any 8 characters
 * of the secret in a row (after undoing those spellings) is not quoted at all.
 */
export function withoutSecret(text: string): string {
  for (const sent of SENT) if (quotesSecret(text, sent)) return QUOTED_SECRET;
  return text;
}

/**
 * Every secret this process has sent (tokens, API keys): an answer's text is checked against all
 * of them, wherever it is quoted from (a page that is not Chroma's, re-serialised by its reader).
 */
const SENT = new Set<string>();

/** Notes a secret as it is sent, so that no answer quoting it reaches a message. */
export function sendingSecret(secret: string): void {
  SENT.add(secret);
}

const QUOTED_SECRET = "(not shown: the answer quotes the request's credentials)";

function quotesSecret(text: string, secret: string): boolean {
  const flat = (value: string) => value.toLowerCase().replace(/\s+/g, '');
  const forms = [flat(text), flat(unescaped(text))];
  const key = flat(secret);
  const width = Math.min(8, key.length);
  for (let at = 0; at + width <= key.length; at++) {
    const piece = key.slice(at, at + width);
    if (forms.some((form) => form.includes(piece))) return true;
  }
  return false;
}

/** The spellings an echo may use, undone: \uXXXX and \/ (JSON), %XX (URLs), &#NN; and &amp; (HTML). */
function unescaped(text: string): string {
  const char = (code: number) => String.fromCharCode(code);
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => char(parseInt(hex, 16)))
    .replace(/\\\//g, '/')
    .replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => char(parseInt(hex, 16)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => char(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, digits: string) => char(Number(digits)))
    .replace(/&amp;/g, '&');
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
