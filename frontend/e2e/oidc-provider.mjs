// OpenID provider for Repère's tests: the certified `oidc-provider` package (pinned in
// frontend/package.json), on 127.0.0.1:PORT, with two confidential clients whose redirect URI is the
// Repère under test (`repere`, and `autre`, a client of someone else), and its development login page:
// any login is accepted, the login is the account id and e-mail address. Consent is implied (Repère is
// a first-party client). Prints "ready" once listening.
//
//   node frontend/e2e/oidc-provider.mjs PORT REDIRECT_URI
import Provider from 'oidc-provider';

const [port, redirect] = process.argv.slice(2);
if (!port || !redirect) {
  console.error('usage: node oidc-provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const client = (id) => ({
  client_id: id,
  client_secret: `secret-${id}-de-test-assez-long`,
  redirect_uris: [redirect],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  clients: [client('repere'), client('autre')],
  cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
  // The account id is the login typed on the development page; its address is the login itself,
  // and the subject a stable id that is not the address.
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: `sujet-${Buffer.from(id).toString('hex')}`,
      email: id,
      email_verified: true,
      given_name: 'Claire',
      family_name: 'Martin',
    }),
  }),
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name']);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (_ctx, err) => console.error('provider error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
