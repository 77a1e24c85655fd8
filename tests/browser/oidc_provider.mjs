// A minimal OpenID Connect provider for the browser tests, on loopback: discovery, JWKS, an
// authorization endpoint that signs the person in at once (the test's "SPID" user), and a token
// endpoint (client_secret_basic, PKCE S256 checked) that answers an RS256 ID token. Enough for
// the server's authorization-code flow; nothing else of a real provider.

import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Starts the provider; `subject` is the `sub` of everyone who logs in. */
export async function startOidcProvider({ clientId = 'sportello-test', clientSecret = 'segreto-di-prova-123', subject }) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map();
  let issuer = '';
  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const idToken = (nonce) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: subject, aud: clientId, iat: now, exp: now + 300, nonce }));
    const signer = createSign('RSA-SHA256');
    signer.update(`${header}.${claims}`);
    return `${header}.${claims}.${b64url(signer.sign(privateKey))}`;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url, issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        scopes_supported: ['openid'],
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/jwks') {
      json(res, 200, { keys: [jwk] });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('client_id') !== clientId || p.get('response_type') !== 'code') {
        json(res, 400, { error: 'invalid_request' });
        return;
      }
      const code = b64url(randomBytes(16));
      codes.set(code, { nonce: p.get('nonce'), challenge: p.get('code_challenge'), redirect: p.get('redirect_uri') });
      const back = new URL(p.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const pkce = grant && b64url(createHash('sha256').update(verifier).digest()) === grant.challenge;
        if (req.headers.authorization !== basic || !grant || !pkce || form.get('redirect_uri') !== grant.redirect) {
          json(res, 400, { error: 'invalid_grant' });
          return;
        }
        json(res, 200, { access_token: b64url(randomBytes(16)), token_type: 'Bearer', expires_in: 300, id_token: idToken(grant.nonce) });
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise((r) => { server.listen(0, '127.0.0.1', r); });
  issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  };
}
