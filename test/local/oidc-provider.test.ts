// The embedded OpenID provider, driven by openid-client (the bridge's own library) over loopback:
// discovery, PKCE code flow through the sign-in page, Cognito-shaped ID tokens, revocation, logout.
import * as oidc from 'openid-client';
import { DEMO_PASSWORD } from '../../local/demo-users.js';
import { startOidcProvider, type EmbeddedOidcProvider } from '../../local/oidc-provider.js';
import { HttpSession, findForm, pageText } from '../support/http-session.js';

const CALLBACK = 'http://localhost:9/callback'; // never requested: the walk stops before it
const SITE = 'http://localhost:8/';

describe('Function: startOidcProvider', () => {
  let provider: EmbeddedOidcProvider;
  let config: oidc.Configuration;

  beforeAll(async () => {
    provider = await startOidcProvider({ clientId: 'local-client', clientSecret: 'local-client-secret', redirectUri: CALLBACK, postLogoutRedirectUri: SITE });
    config = await oidc.discovery(new URL(provider.issuer), 'local-client', undefined, oidc.ClientSecretBasic('local-client-secret'), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.enableNonRepudiationChecks(config);
  });

  afterAll(async () => {
    await provider.close();
  });

  /** Starts a code flow in `browser` and returns the authorization URL's flow values. */
  async function authorize(browser: HttpSession) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const journey = await browser.follow(url.href, { stopBefore: (u) => u.href.startsWith(CALLBACK) });
    return { verifier, state, nonce, journey };
  }

  async function signIn(browser: HttpSession, username: string, password = DEMO_PASSWORD) {
    const { verifier, state, nonce, journey } = await authorize(browser);
    const form = findForm(journey.final, /\/interaction\/[^/]+\/login$/);
    const after = await browser.submit(form, { username, password }, { stopBefore: (u) => u.href.startsWith(CALLBACK) });
    return { verifier, state, nonce, after };
  }

  async function redeem(location: string, flow: { verifier: string; state: string; nonce: string }) {
    return oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
  }

  it('advertises Cognito-style endpoints, S256 PKCE and revocation in its discovery document', () => {
    const metadata = config.serverMetadata();

    expect(metadata.issuer).toBe(provider.issuer);
    expect(metadata.authorization_endpoint).toBe(`${provider.issuer}/oauth2/authorize`);
    expect(metadata.token_endpoint).toBe(`${provider.issuer}/oauth2/token`);
    expect(metadata.revocation_endpoint).toBe(`${provider.issuer}/oauth2/revoke`);
    expect(metadata.end_session_endpoint).toBe(`${provider.issuer}/logout`);
    expect(metadata.jwks_uri).toBe(`${provider.issuer}/.well-known/jwks.json`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('shows a sign-in page without external assets and with every demo user named', async () => {
    const browser = new HttpSession();

    const { journey } = await authorize(browser);

    expect(journey.final.status).toBe(200);
    expect(journey.final.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(journey.final.body).not.toMatch(/https?:\/\//);
    expect(pageText(journey.final.body)).toMatch(/Demo users: alice, bob, carol, dana · password demo-password/);
  });

  it("issues an ID token with alice's Cognito-shaped claims and a refresh token", async () => {
    const browser = new HttpSession();

    const flow = await signIn(browser, 'alice');
    const tokens = await redeem(flow.after.final.location ?? '', flow);

    expect(tokens.claims()).toMatchObject({
      iss: provider.issuer,
      aud: 'local-client',
      sub: 'a11ce000-0000-4000-8000-000000000001',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      'cognito:username': 'alice',
      token_use: 'id',
    });
    expect(tokens.claims()).not.toHaveProperty('cognito:groups');
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('gives bob email_verified false, carol no name claims, and dana her group and special-character name', async () => {
    const claimsOf = async (username: string) => {
      const browser = new HttpSession();
      const flow = await signIn(browser, username);
      return (await redeem(flow.after.final.location ?? '', flow)).claims() ?? {};
    };

    const [bob, carol, dana] = [await claimsOf('bob'), await claimsOf('carol'), await claimsOf('dana')];

    expect(bob).toMatchObject({ email: 'bob@example.com', email_verified: false });
    expect(carol).toMatchObject({ email: 'carol@example.com', email_verified: true });
    expect(Object.keys(carol)).not.toEqual(expect.arrayContaining(['name']));
    expect(carol).not.toHaveProperty('given_name');
    expect(carol).not.toHaveProperty('family_name');
    expect(dana).toMatchObject({ name: "Dana Zoë O'Brien (QA)", 'cognito:groups': ['admins'] });
  });

  it('refuses a wrong password on the sign-in page and escapes what was typed', async () => {
    const browser = new HttpSession();
    const { journey } = await authorize(browser);
    const form = findForm(journey.final, /\/login$/);

    const after = await browser.submit(form, { username: '<b>alice</b>', password: 'wrong' });

    expect(after.final.status).toBe(401);
    expect(after.final.body).toContain('Incorrect username or password.');
    expect(after.final.body).toContain('value="&lt;b&gt;alice&lt;/b&gt;"');
    expect(after.final.body).not.toContain('<b>alice</b>');
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(config.serverMetadata().authorization_endpoint ?? '');
    url.search = new URLSearchParams({ client_id: 'local-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 'xyz' }).toString();

    const hop = await new HttpSession().request(url.href);

    expect(hop.status).toBe(303);
    expect(new URL(hop.location ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('records a refresh token revoked by the client', async () => {
    const browser = new HttpSession();
    const flow = await signIn(browser, 'alice');
    const tokens = await redeem(flow.after.final.location ?? '', flow);
    const before = provider.revokedTokens.length;

    await oidc.tokenRevocation(config, tokens.refresh_token ?? '', { token_type_hint: 'refresh_token' });

    expect(provider.refreshTokensIssued).toBeGreaterThan(0);
    expect(provider.revokedTokens).toHaveLength(before + 1);
    expect(provider.revokedTokens.at(-1)).toEqual({ accountId: 'a11ce000-0000-4000-8000-000000000001', clientId: 'local-client' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('signs in again without the form while the session lasts, also after its refresh token was revoked', async () => {
    const browser = new HttpSession();
    const first = await signIn(browser, 'carol');
    const tokens = await redeem(first.after.final.location ?? '', first);
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '');

    const second = await authorize(browser);

    expect(second.journey.final.location).toMatch(/^http:\/\/localhost:9\/callback\?code=/);
    expect((await redeem(second.journey.final.location ?? '', second)).claims()?.sub).toBe('ca201000-0000-4000-8000-000000000003');
  });

  it.each([
    ['the standard post_logout_redirect_uri', 'post_logout_redirect_uri'],
    ["Cognito's logout_uri", 'logout_uri'],
  ])('ends the session and returns to the site with %s, without asking', async (_label, parameter) => {
    const browser = new HttpSession();
    await signIn(browser, 'alice');
    const ended = provider.endedSessions;
    const logout = new URL(`${provider.issuer}/logout`);
    logout.search = new URLSearchParams({ client_id: 'local-client', [parameter]: SITE }).toString();

    const page = await browser.follow(logout.href);
    const confirm = await browser.submit(findForm(page.final, /\/logout\/confirm$/), {}, { stopBefore: (u) => u.href.startsWith(SITE) });
    const again = await authorize(browser);

    expect(page.final.body).toContain("document.forms[0].submit()");
    expect(confirm.final.location).toBe(SITE);
    expect(provider.endedSessions).toBe(ended + 1);
    expect(again.journey.final.status).toBe(200); // the sign-in page again
    expect(findForm(again.journey.final, /\/login$/)).toBeDefined();
  });

  it('refuses a sign-out URL that is not registered for the client', async () => {
    const logout = new URL(`${provider.issuer}/logout`);
    logout.search = new URLSearchParams({ client_id: 'local-client', logout_uri: 'https://evil.example/' }).toString();

    const hop = await new HttpSession().request(logout.href);

    expect(hop.status).toBe(400);
    expect(pageText(hop.body)).toContain('post_logout_redirect_uri not registered');
  });
});
