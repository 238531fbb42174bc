/**
 * Why a connection failed, from the error code Node gives, in words a user can act on. One
 * place for the connection test (probe.ts) and every command's errors (explain.ts), so `ping`
 * and `import` say the same thing about the same server.
 */
export type NetworkProblem =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'tls-untrusted'
  | 'tls-name'
  | 'tls-expired'
  | 'tls-not-yet-valid'
  | 'tls-refused'
  /** An https:// URL, and plain HTTP answered. */
  | 'tls-on-plain'
  /** An http:// URL, and the port speaks TLS. */
  | 'plain-on-tls'
  | 'other';

const BY_CODE: Record<string, NetworkProblem> = {
  ENOTFOUND: 'dns',
  EAI_NONAME: 'dns',
  EAI_NODATA: 'dns',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-untrusted',
  CERT_UNTRUSTED: 'tls-untrusted',
  CERT_SIGNATURE_FAILURE: 'tls-untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-name',
  HOSTNAME_MISMATCH: 'tls-name',
  CERT_HAS_EXPIRED: 'tls-expired',
  CERT_NOT_YET_VALID: 'tls-not-yet-valid',
  // The server ends the handshake: it has no certificate for the name asked (Caddy does this).
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'tls-refused',
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'tls-refused',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'tls-refused',
  // The bytes that came back are not TLS: a plain HTTP server.
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls-on-plain',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'tls-on-plain',
  ERR_SSL_HTTP_REQUEST: 'tls-on-plain',
};

export function problemOf(code: string | undefined): NetworkProblem {
  return (code && BY_CODE[code]) || 'other';
}

/**
 * Retrying helps only what can change by itself in seconds: a server restarting (refused,
 * reset), a network blip. A name that does not resolve, a certificate, or the wrong protocol
 * will be the same on the next try: fail at once with the fix.
 */
export function isRetryableProblem(problem: NetworkProblem): boolean {
  return problem === 'refused' || problem === 'unreachable' || problem === 'reset' || problem === 'other';
}

export interface ProblemPlace {
  host: string;
  port: number;
  /** Chroma Cloud: the fix is about this machine's network, never a deployment. */
  cloud?: boolean;
  /** The server the data is read from (see Endpoint.source). */
  source?: boolean;
  /** Node's code and reason, shown in parentheses. */
  code?: string;
  reason?: string;
}

export interface Explained {
  message: string;
  fix: string;
}

const CA_FIX =
  'If the server signs with its own CA (Caddy does for localhost or an IP address; a company CA), give Node that root certificate: NODE_EXTRA_CA_CERTS=/path/to/root.crt chroma-migrate … (Caddy keeps it in its data folder under pki/authorities/local/root.crt). On Railway, use the service\'s own *.up.railway.app domain or a custom domain Railway issued a certificate for: every machine trusts those.';

export function explainProblem(problem: NetworkProblem, place: ProblemPlace): Explained {
  const { host, port } = place;
  const at = `${host}:${port}`;
  const detail = [place.code, place.reason && place.reason !== place.code ? place.reason : undefined].filter(Boolean).join(': ');
  const why = detail ? ` (${detail})` : '';
  if (place.cloud) return explainCloud(problem, host, why);
  switch (problem) {
    case 'dns':
      return {
        message: `The host name ${host} does not resolve${why}.`,
        fix: 'Check the URL for typos. A new Railway domain appears a minute or so after "Generate domain": copy it from the proxy service\'s Settings → Networking.',
      };
    case 'refused':
      return {
        message: `Nothing accepts connections at ${at} (connection refused).`,
        fix: place.source
          ? `No server listens on port ${port} there: the server holding your data (the source) is not running, or the port is wrong. Start that server (a new one would be empty), or fix the port. A Railway domain answers only on https port 443.`
          : `No server listens on port ${port} there: it is not running (yet), or the port is wrong. On this machine, start one with chroma-migrate serve --port ${port}. A Railway domain answers only on https port 443.`,
      };
    case 'unreachable':
      return {
        message: `${at} did not answer${why}.`,
        fix: 'Check the URL, that the server is running, and that no firewall blocks the port.',
      };
    case 'reset':
      return {
        message: `${at} closed the connection without answering${why}.`,
        fix: 'The server may be restarting or out of memory: check its logs, then run the same command again (it continues where it stopped).',
      };
    case 'tls-untrusted':
      return { message: `The certificate of ${host} is signed by a CA this machine does not trust${why}.`, fix: CA_FIX };
    case 'tls-name':
      return {
        message: `The certificate at ${at} is not for the name ${host}${why}.`,
        fix: 'Connect with the exact domain the certificate was issued for (on Railway the *.up.railway.app domain, or the custom domain you attached), not an IP address or another alias.',
      };
    case 'tls-expired':
      return {
        message: `The certificate of ${host} has expired${why}.`,
        fix: 'Renew it on the server (Caddy renews by itself when it can reach Let\'s Encrypt: check its logs). If this machine\'s clock is wrong, fix the clock.',
      };
    case 'tls-not-yet-valid':
      return { message: `The certificate of ${host} is not valid yet${why}.`, fix: 'This machine\'s clock (or the server\'s) is wrong: fix the clock.' };
    case 'tls-refused':
      return {
        message: `${at} ended the TLS handshake for the name ${host}${why}: it has no certificate for that name.`,
        fix: 'Connect with the domain the server is configured for (CHROMA_DOMAIN on the proxy), not an IP address or another alias.',
      };
    case 'tls-on-plain':
      return {
        message: `${at} answers plain HTTP, not HTTPS${why}.`,
        fix: `Use http://${at} if that server has no TLS (fine on this machine), or the port where the proxy serves HTTPS (443).`,
      };
    case 'plain-on-tls':
      return { message: `${at} speaks HTTPS, but the URL says http://.`, fix: `Use https://${at}.` };
    case 'other':
      return { message: `Could not reach ${at}${why}.`, fix: 'Check the URL, and that the server is running.' };
  }
}

function explainCloud(problem: NetworkProblem, host: string, why: string): Explained {
  const network = 'Check this machine\'s internet connection, and CHROMA_CLOUD_HOST if you set it.';
  switch (problem) {
    case 'dns':
      return { message: `Chroma Cloud's host ${host} does not resolve${why}.`, fix: network };
    case 'tls-untrusted':
    case 'tls-name':
    case 'tls-refused':
      return {
        message: `The certificate presented for Chroma Cloud (${host}) is not trusted${why}.`,
        fix: 'Something on this network intercepts HTTPS (a company proxy or antivirus): give Node its root certificate with NODE_EXTRA_CA_CERTS=/path/to/root.crt, or use another network.',
      };
    case 'tls-expired':
    case 'tls-not-yet-valid':
      return { message: `The certificate presented for Chroma Cloud (${host}) is out of date${why}.`, fix: 'Check this machine\'s clock.' };
    default:
      return { message: `Could not reach Chroma Cloud at ${host}${why}.`, fix: `${network} Then run the same command again: it continues where it stopped.` };
  }
}
