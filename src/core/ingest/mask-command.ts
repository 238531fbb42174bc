/**
 * An ingestion command as it may be saved and printed: every secret in it replaced by "…". The
 * command line is remembered in the state file and written at the top of the wizard's log, and
 * users put keys on it (`OPENAI_API_KEY=sk-… python3 ingest.py --api-key ck-…`). The command that
 * runs keeps them; only what is kept or shown loses them.
 */

const MASK = '…';

export interface MaskedCommand {
  /** The command with each secret value replaced by "…". */
  shown: string;
  /** What was hidden, to be given again on a resume: "OPENAI_API_KEY", "--api-key", "the value of CHROMA_API_KEY". */
  withheld: string[];
}

/** An environment variable whose value is a secret: CHROMA_API_KEY, *_API_KEY, *_TOKEN, *_SECRET, *PASSWORD*, … */
function isSecretName(name: string): boolean {
  // A bare KEY only as the last word: KEY_FIELD or --key-field name a field, OPENAI_KEY a key.
  return /(^|_)(API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|TOKEN|SECRET|PASSWD|PASS|CREDENTIALS?)($|_)/i.test(name) || /(^|_)KEY$/i.test(name) || /PASSWORD/i.test(name);
}

/** A flag whose value is a secret: --api-key, --token, --auth-token, --password, --secret, --openai-key. */
function isSecretFlag(flag: string): boolean {
  return isSecretName(flag.replace(/^-+/, '').replace(/-/g, '_'));
}

/** One shell word's worth of value: quoted parts and unquoted characters up to a space or an operator. */
const VALUE = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|\\.|[^\s'"\\;&|()<>])+`;
const ASSIGNMENT = new RegExp(String.raw`(^|[\s;&|('"])([A-Za-z_][A-Za-z0-9_]*)=(${VALUE})`, 'g');
const FLAG = new RegExp(String.raw`(^|[\s;&|('"])(--?[A-Za-z][A-Za-z0-9_-]*['"]?)(=|\s+)(${VALUE})`, 'g');
/** `$OPENAI_API_KEY`, `"\${TOKEN}"`: a reference to the environment, no secret in itself. */
const REFERENCE = /^(["']?)\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)\1$/;
/** https://user:password@host: the password. */
const URL_PASSWORD = /(\/\/[^\s/:@'"]+:)([^\s/@'"]+)(@)/g;
/** Values shorter than this are not looked for on their own: "1" or "true" would mask half a command. */
const SHORTEST_SECRET = 6;

/**
 * Masks `command` for saving and printing. `env` is where secrets the command may name by value
 * are found (.env over the process environment): each value of a secret-named variable is masked
 * wherever it appears, however it was written.
 */
export function maskCommand(command: string, env: Record<string, string | undefined> = {}, extra: string[] = []): MaskedCommand {
  const withheld = new Set<string>();
  let shown = command.replace(ASSIGNMENT, (whole, before: string, name: string, value: string) => {
    if (!isSecretName(name) || REFERENCE.test(value)) return whole;
    withheld.add(name);
    return `${before}${name}=${MASK}`;
  });
  shown = shown.replace(FLAG, (whole, before: string, flag: string, glue: string, value: string) => {
    // `--password --next`: a flag without its value, which the program asks for itself.
    if (!isSecretFlag(flag.replace(/['"]$/, '')) || value.startsWith('-') || value === MASK || REFERENCE.test(value)) return whole;
    withheld.add(flag.replace(/['"]$/, ''));
    return `${before}${flag}${glue}${MASK}`;
  });
  shown = shown.replace(URL_PASSWORD, (_whole, user: string, _password: string, at: string) => {
    withheld.add('the password in a URL');
    return `${user}${MASK}${at}`;
  });
  const known = Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].length >= SHORTEST_SECRET && isSecretName(entry[0]))
    .map(([name, value]) => ({ name: `the value of ${name}`, value }));
  const values = [...known, ...extra.filter((value) => value.length > 0).map((value) => ({ name: "the target's token", value }))];
  // Longest first: a key that contains another is masked whole.
  for (const { name, value } of values.sort((a, b) => b.value.length - a.value.length)) {
    if (!shown.includes(value)) continue;
    withheld.add(name);
    shown = shown.split(value).join(MASK);
  }
  return { shown, withheld: [...withheld] };
}
