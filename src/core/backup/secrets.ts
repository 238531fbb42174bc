/**
 * Backups get copied around: a credential must never land in one. But a collection's
 * configuration and schema are carried verbatim — a key that merely contains "token"
 * (`include_tokens`, `token_max_length`, `max_tokens`, `tokenizer`, a schema key `token_count`)
 * is data the target needs, and dropping it changes the collection. So a value is withheld only
 * when its field is a credential by its documented meaning, and every withheld field is named.
 *
 * Chroma's embedding function configs name the variable that holds a key (`api_key_env_var:
 * "OPENAI_API_KEY"`), never the key (chroma-core/chroma clients/new-js/packages/ai-embeddings).
 */
import { WholeFloat } from '../model/values.js';

/**
 * Field names that hold a credential wherever they appear (compared without case, "-" or "_"):
 * HTTP auth, API keys, passwords, OAuth and cloud provider secrets.
 */
const CREDENTIAL_FIELDS = new Set(
  [
    'api_key',
    'apikey',
    'x_api_key',
    'x_chroma_token',
    'token',
    'auth_token',
    'access_token',
    'refresh_token',
    'id_token',
    'bearer_token',
    'session_token',
    'password',
    'passwd',
    'secret',
    'client_secret',
    'secret_key',
    'secret_access_key',
    'aws_secret_access_key',
    'aws_session_token',
    'private_key',
    'authorization',
    'cookie',
    'credentials',
    'credential',
  ].map(normalise),
);

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** The field holds a variable's name (`api_key_env_var`), which the app needs after the move. */
const ENV_VAR_KEY = /_env_var$/i;
const ENV_VAR_NAME = /^[A-Z][A-Z0-9]{0,23}(?:_{1,2}[A-Z0-9]{1,24}){0,7}$/;
const ONE_WORD = /^[A-Z][A-Z0-9]{0,15}$/;

/**
 * A variable's name stays while it looks like one: words of upper case and digits joined by "_"
 * (OPENAI_API_KEY, HF_TOKEN), or one short word (VOYAGE). A real key pasted there by mistake has
 * lower case or dashes ("sk-proj-…", base64), or is one long run of upper case and digits.
 */
function looksLikeVariableName(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 64 || !ENV_VAR_NAME.test(value)) return false;
  // Words have few digits (OPENAI_API_KEY_2); a key's runs of letters and digits have many.
  if (value.split('_').some((word) => (word.match(/[0-9]/g)?.length ?? 0) > 4)) return false;
  return value.includes('_') || ONE_WORD.test(value);
}

function isCredential(key: string, value: unknown): boolean {
  if (ENV_VAR_KEY.test(key)) return !looksLikeVariableName(value);
  return CREDENTIAL_FIELDS.has(normalise(key));
}

export interface Withheld {
  value: unknown;
  /** Each withheld field by its path ("configuration.embedding_function.config.api_key"). */
  paths: string[];
}

/** `value` with every credential field removed, and where each one was. Typed numbers are kept as they are. */
export function withholdSecrets(value: unknown, path = ''): Withheld {
  const paths: string[] = [];
  const walk = (item: unknown, at: string): unknown => {
    if (Array.isArray(item)) return item.map((entry, index) => walk(entry, `${at}[${index}]`));
    if (item === null || typeof item !== 'object' || item instanceof WholeFloat) return item;
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(item)) {
      const where = at ? `${at}.${key}` : key;
      if (isCredential(key, entry)) paths.push(where);
      else out[key] = walk(entry, where);
    }
    return out;
  };
  return { value: walk(value, path), paths };
}

/** `value` without its credential fields. */
export function withoutSecrets(value: unknown): unknown {
  return withholdSecrets(value).value;
}
