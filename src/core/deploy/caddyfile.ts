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

export function caddyfile(site: ProxySite): string {
  const globals =
    site === 'domain'
      ? [
          '\t# 80 and 443 unless set otherwise. Port 80 answers certificate challenges and redirects to HTTPS.',
          '\thttp_port {$HTTP_PORT:80}',
          '\thttps_port {$HTTPS_PORT:443}',
        ]
      : [];
  const address = site === 'domain' ? '{$CHROMA_DOMAIN}' : ':{$PORT:8080}';
  const header =
    site === 'domain'
      ? [
          '# chroma-migrate: the token-checking proxy in front of Chroma 1.x, serving HTTPS on your domain.',
          '# From the environment: CHROMA_DOMAIN (the public name; its DNS points at this machine),',
          '# CHROMA_AUTH_TOKEN (the token clients send) and CHROMA_UPSTREAM (Chroma\'s host:port).',
        ]
      : [
          '# chroma-migrate: the token-checking proxy in front of Chroma 1.x, for Railway.',
          '# Plain HTTP on $PORT: Railway serves HTTPS at its edge and forwards here.',
          '# From the environment: PORT (Railway sets it), CHROMA_AUTH_TOKEN (the token clients send)',
          '# and CHROMA_UPSTREAM (Chroma\'s host:port on the private network).',
        ];
  const proxy = ['\t\treverse_proxy {env.CHROMA_UPSTREAM}'];
  return [
    ...header,
    '# The token is read per request ({env.…}), so it is never written into Caddy\'s saved config.',
    '{',
    '\t# No admin API: nothing listens on :2019 to reconfigure the proxy.',
    '\tadmin off',
    '\t# Never touch the system\'s trust store (it would, for its own CA on localhost).',
    '\tskip_install_trust',
    ...globals,
    '}',
    '',
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
    '\t# The token in either header Chroma clients use.',
    '\t@bearer header Authorization "Bearer {env.CHROMA_AUTH_TOKEN}"',
    '\thandle @bearer {',
    ...proxy,
    '\t}',
    '\t@x_chroma_token header X-Chroma-Token "{env.CHROMA_AUTH_TOKEN}"',
    '\thandle @x_chroma_token {',
    ...proxy,
    '\t}',
    '',
    '\thandle {',
    '\t\theader Content-Type application/json',
    '\t\trespond `{"error":"Unauthorized","message":"Missing or wrong token: send Authorization: Bearer <token> or X-Chroma-Token: <token>"}` 401',
    '\t}',
    '}',
    '',
  ].join('\n');
}
