import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** A local issuer for the auth-on run: an RS256 key, its JWKS on 127.0.0.1, and one signed token. */
export async function startIssuer(audience: string): Promise<{ issuer: string; jwksUri: string; token: string; close(): void }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    const body = JSON.stringify(req.url === '/jwks' ? { keys: [jwk] } : { error: 'not found' });
    res.writeHead(req.url === '/jwks' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await new SignJWT({ scope: 'items:read', client_id: 'bench' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  return { issuer, jwksUri: `${issuer}/jwks`, token, close: () => server.close() };
}
