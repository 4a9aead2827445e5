// A real OpenID provider for Tidings' tests: oidc-provider (a certified implementation) with its
// development login form, on 127.0.0.1.
//
// Environment:
//   OIDC_PORT           the port to listen on
//   OIDC_REDIRECT_URIS  comma-separated redirect URIs of the registered clients
// Clients: "tidings" (confidential, secret "tidings-secret") and "tidings-public" (a public
// client: no secret, PKCE only). Any login name signs in (the dev form takes any password);
// the account's claims are made from it: sub, preferred_username = the login, name
// "<Login> Example", email "<login>@example.com" (verified). Consent is given in advance.
//
// A test hook, outside the provider's own routes: POST /test/tamper?mode=signature makes the
// next token response carry an ID token whose payload was changed after signing (its
// signature no longer matches).
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const redirectUris = (process.env.OIDC_REDIRECT_URIS ?? '').split(',').filter(Boolean);
const issuer = `http://127.0.0.1:${port}`;

function claimsOf(login) {
  const name = login.charAt(0).toUpperCase() + login.slice(1);
  return {
    sub: login,
    preferred_username: login,
    name: `${name} Example`,
    email: `${login}@example.com`,
    email_verified: true,
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'tidings',
      client_secret: 'tidings-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'tidings-public',
      token_endpoint_auth_method: 'none',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => claimsOf(id) };
  },
  // First-party clients: the user is not asked to consent.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

let tamper = null;
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    tamper = ctx.query.mode ?? null;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
    const [head, payload, signature] = ctx.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.sub = 'someone-else';
    claims.preferred_username = 'someone-else';
    ctx.body = { ...ctx.body, id_token: [head, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.') };
    tamper = null;
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
