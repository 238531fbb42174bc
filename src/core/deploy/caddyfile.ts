/**
 * The token-checking Caddy proxy in front of Chroma 1.x, which has no authentication of its own.
 *
 * Written for Caddy 2.6 (Debian 12's, which the tests run) and every later 2.x:
 * - a block that opens `{` holds nothing else on that line (anything more is a parse error);
 * - the token and the upstream are `{env.…}` placeholders, read per request, so the token never
 *   lands in Caddy's saved config (autosave.json). `{$…}` would be replaced when the file is
 *   adapted and written there. Only the listen address must be known when the config loads.
 */
export type ProxySite =
  /** Plain HTTP on $PORT: Railway's edge terminates TLS and forwards to the service's port. */
  | 'port'
  /** HTTPS on $CHROMA_DOMAIN: Caddy gets the certificate itself (Let's Encrypt, or its own CA for localhost or an IP). */
  | 'domain';

const HEADER: Record<ProxySite, string[]> = {
  domain: [
    '# chroma-migrate: the token-checking proxy in front of Chroma 1.x, serving HTTPS on your domain.',
    '# From the environment: CHROMA_DOMAIN (the public name; its DNS points at this machine),',
    '# CHROMA_AUTH_TOKEN (the token clients send) and CHROMA_UPSTREAM (Chroma\'s host:port).',
  ],
  port: [
    '# chroma-migrate: the token-checking proxy in front of Chroma 1.x, for Railway.',
    '# Plain HTTP on $PORT: Railway serves HTTPS at its edge and forwards here.',
    '# From the environment: PORT (Railway sets it), CHROMA_AUTH_TOKEN (the token clients send)',
    '# and CHROMA_UPSTREAM (Chroma\'s host:port on the private network).',
  ],
};

// Unset, the domain becomes this sentence, which Caddy quotes when it refuses to start
// ("subject does not qualify for certificate: 'chroma_domain is not set …'"), instead of a
// message about global options blocks.
const ADDRESS: Record<ProxySite, string> = {
  domain: '{$CHROMA_DOMAIN:"CHROMA_DOMAIN is not set - put this server domain in it"}',
  port: ':{$PORT:8080}',
};

function globalOptions(site: ProxySite): string[] {
  const ports =
    site === 'domain'
      ? [
          '\t# 80 and 443 unless set otherwise. Port 80 answers certificate challenges and redirects to HTTPS.',
          '\thttp_port {$HTTP_PORT:80}',
          '\thttps_port {$HTTPS_PORT:443}',
        ]
      : [];
  return [
    '{',
    '\t# No admin API: nothing listens on :2019 to reconfigure the proxy.',
    '\tadmin off',
    '\t# Never touch the system\'s trust store (it would, for its own CA on localhost).',
    '\tskip_install_trust',
    ...ports,
    '\t# Caddy logs a request\'s headers when the upstream is down (every Chroma restart).',
    '\t# It hides Authorization itself; this hides X-Chroma-Token the same way. A site `log`',
    '\t# (access log) added later has its own encoder and needs the same filter.',
    '\tlog {',
    '\t\tformat filter {',
    '\t\t\twrap json',
    '\t\t\tfields {',
    '\t\t\t\trequest>headers>X-Chroma-Token replace REDACTED',
    '\t\t\t}',
    '\t\t}',
    '\t}',
    '}',
  ];
}

function siteBlock(address: string): string[] {
  const proxy = ['\t\treverse_proxy {env.CHROMA_UPSTREAM}'];
  return [
    `${address} {`,
    '\t# Open without the token: only the heartbeat, so health checks and `chroma-migrate ping`',
    '\t# can tell the server is up. It reveals nothing but a clock.',
    '\t@heartbeat path /api/v2/heartbeat',
    '\thandle @heartbeat {',
    ...proxy,
    '\t}',
    '',
    '\t# Without a token set, refuse everything rather than accept an empty one.',
    '\t@no_token_set expression `{env.CHROMA_AUTH_TOKEN} == ""`',
    '\thandle @no_token_set {',
    '\t\theader Content-Type application/json',
    '\t\trespond `{"error":"ProxyMisconfigured","message":"CHROMA_AUTH_TOKEN is not set on the proxy"}` 503',
    '\t}',
    '',
    '\t# The token in either header Chroma clients use, compared exactly: Caddy\'s `header`',
    '\t# matcher would read a `*` in the token as a wildcard. The token is read per request and',
    '\t# never pasted into the expression, so no character of it needs escaping.',
    '\t@token expression `{env.CHROMA_AUTH_TOKEN} != "" && ({http.request.header.Authorization} == "Bearer " + {env.CHROMA_AUTH_TOKEN} || {http.request.header.X-Chroma-Token} == {env.CHROMA_AUTH_TOKEN})`',
    '\thandle @token {',
    ...proxy,
    '\t}',
    '',
    '\thandle {',
    '\t\theader Content-Type application/json',
    '\t\trespond `{"error":"Unauthorized","message":"Missing or wrong token: send Authorization: Bearer <token> or X-Chroma-Token: <token>"}` 401',
    '\t}',
    '}',
  ];
}

export function caddyfile(site: ProxySite): string {
  return [
    ...HEADER[site],
    '# The token is read per request ({env.…}), so it is never written into Caddy\'s saved config.',
    ...globalOptions(site),
    '',
    ...siteBlock(ADDRESS[site]),
    '',
  ].join('\n');
}
