// foyer-bench's peer: panva's oidc-provider with its default in-memory
// adapter, one confidential client allowed client_credentials
// (client_secret_basic), opaque access tokens (its default). foyer-bench
// writes this file next to the npm install that provides oidc-provider and
// runs it with PEER_CLIENT_ID and PEER_CLIENT_SECRET set. It listens on a
// free 127.0.0.1 port and prints "ready <issuer>" on stdout once listening.
// It exits when its stdin closes, so it never outlives the bench.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

// The in-memory adapter is what is measured, so its quick-start warning
// says nothing new; every other warning stays on stderr (the bench keeps it
// in a log file).
const warn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes('development-only in-memory adapter')) warn(...args);
};

const { default: Provider } = await import('oidc-provider');

const clientId = process.env.PEER_CLIENT_ID;
const clientSecret = process.env.PEER_CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error('PEER_CLIENT_ID and PEER_CLIENT_SECRET must be set');
  process.exit(2);
}

// Production-like: own signing key and cookie keys (no quick-start ones),
// no development interactions. Nothing here signs on the measured path:
// client-credentials access tokens are opaque.
const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    // Foyer's path, so the bench's scenario runs unchanged.
    routes: { token: '/oauth2/token' },
  });
  server.on('request', provider.callback());
  console.log(`ready ${issuer}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
