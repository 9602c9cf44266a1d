// The embedded OpenID provider that stands in for Amazon Cognito in local mode: oidc-provider with
// Cognito's endpoint paths (/oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout, …), PKCE S256,
// ID tokens with Cognito-shaped claims, refresh tokens the bridge revokes, and a small sign-in page
// for the demo users. Test hooks report revoked refresh tokens and ended sessions.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContext, type OidcClientEntity, type OidcToken } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { cognitoClaims, findDemoUserBySub, verifyDemoUser } from './demo-users.js';
import { listenOnLoopback, readBody } from './loopback.js';
import { PAGE_CSP, renderMessagePage, renderSignInPage, renderSignOutPage } from './oidc-pages.js';

export interface OidcProviderOptions {
  /** 0 = an ephemeral port. */
  readonly port?: number;
  /** Listen on this address only; default 127.0.0.1 and ::1. */
  readonly host?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The bridge's /callback: the client's only redirect URI. */
  readonly redirectUri: string;
  /** Where sign-out may return (the site's origin + '/'): the client's only sign-out URL. */
  readonly postLogoutRedirectUri: string;
  /** Shown on the sign-in page (default "TwentyThree SSO bridge"). */
  readonly clientName?: string;
}

export interface RevokedToken {
  readonly accountId: string | undefined;
  readonly clientId: string | undefined;
}

export interface EmbeddedOidcProvider {
  /** `http://localhost:<port>`: discovery at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly port: number;
  /** Refresh tokens revoked through /oauth2/revoke, in order (whose, not the token). */
  readonly revokedTokens: readonly RevokedToken[];
  /** Refresh tokens issued by the token endpoint. */
  readonly refreshTokensIssued: number;
  /** Completed sign-outs (RP-initiated logout). */
  readonly endedSessions: number;
  close(): Promise<void>;
}

/** Cognito's hosted-UI paths, so COGNITO_DOMAIN_URL can point the bridge here exactly as in production. */
const ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userInfo',
  revocation: '/oauth2/revoke',
  end_session: '/logout',
  jwks: '/.well-known/jwks.json',
};

/** Scopes the bridge asks for, and what each may reveal; Cognito's own claims ride on `openid`. */
const CLAIMS = {
  acr: null,
  auth_time: null,
  iss: null,
  sid: null,
  openid: ['sub', 'cognito:username', 'cognito:groups', 'token_use'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
};

const GRANTED_SCOPE = 'openid email profile';

export async function startOidcProvider(options: OidcProviderOptions): Promise<EmbeddedOidcProvider> {
  const revokedTokens: RevokedToken[] = [];
  let refreshTokensIssued = 0;
  let endedSessions = 0;
  const clientName = options.clientName ?? 'TwentyThree SSO bridge';

  // The issuer must contain the port, so listen first and build the provider once the port is known.
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = await listenOnLoopback(
    (req, res) => {
      if (listener) listener(req, res);
      else respond(res, 503, renderMessagePage('Starting', 'The sign-in service is starting. Try again in a moment.'));
    },
    { port: options.port ?? 0, host: options.host },
  );
  const issuer = server.origin;

  try {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

    const provider = new Provider(issuer, {
      adapter: createMemoryAdapter(15),
      jwks: { keys: [signingKey] },
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          client_name: clientName,
          redirect_uris: [options.redirectUri],
          post_logout_redirect_uris: [options.postLogoutRedirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          // openid-client's ClientSecretBasic, as the bridge uses against Cognito.
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      routes: ROUTES,
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      claims: CLAIMS,
      // Cognito puts every attribute the scopes allow into the ID token, not only into userinfo.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      // Codes and tokens outlive the provider session, as Cognito's do (its /logout ends only the hosted-UI
      // session); with session binding, a second tab's sign-in would void the first tab's code.
      expiresWithSession: async () => false,
      // Cognito issues a refresh token with every code exchange, without offline_access.
      issueRefreshToken: async (_ctx: KoaContext, client: OidcClientEntity) => client.grantTypeAllowed('refresh_token'),
      async findAccount(_ctx: KoaContext, sub: string) {
        const user = findDemoUserBySub(sub);
        if (!user) return undefined;
        return {
          accountId: user.sub,
          claims: (use: string) => ({ ...cognitoClaims(user), ...(use === 'id_token' ? { token_use: 'id' } : {}) }),
        };
      },
      // Cognito asks no consent for its own app clients: grant the requested scopes just in time. Every
      // authorization gets its own grant, because revoking a refresh token revokes everything issued under
      // its grant, and the bridge's revocation after one tab's sign-in must not void another tab's code.
      async loadExistingGrant(ctx: KoaContext) {
        const { oidc } = ctx;
        const consented = oidc.result?.consent?.grantId;
        if (consented) return oidc.provider.Grant.find(consented);
        const grant = new oidc.provider.Grant({ clientId: oidc.client?.clientId ?? '', accountId: oidc.session.accountId });
        grant.addOIDCScope(GRANTED_SCOPE);
        await grant.save();
        return grant;
      },
      interactions: { url: (_ctx: KoaContext, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      cookies: {
        // Cookies ignore ports: these share `localhost` with the bridge's and the sandbox's, so keep the names apart.
        names: { session: 'idp_session', interaction: 'idp_interaction', resume: 'idp_interaction_resume' },
        keys: [randomBytes(32).toString('base64url')],
        long: { httpOnly: true, sameSite: 'lax', signed: true },
        short: { httpOnly: true, sameSite: 'lax', signed: true },
      },
      features: {
        devInteractions: { enabled: false },
        revocation: {
          enabled: true,
          allowedPolicy: async (_ctx: KoaContext, client: OidcClientEntity, token: OidcToken) => token.clientId === client.clientId,
        },
        rpInitiatedLogout: {
          enabled: true,
          async logoutSource(ctx: KoaContext, form: string) {
            ctx.set('content-security-policy', PAGE_CSP);
            ctx.body = renderSignOutPage(form);
          },
          async postLogoutSuccessSource(ctx: KoaContext) {
            ctx.set('content-security-policy', PAGE_CSP);
            ctx.body = renderMessagePage('Signed out', 'You are signed out. You can close this page.');
          },
        },
      },
      async renderError(ctx: KoaContext, out: { error?: string; error_description?: string }) {
        ctx.type = 'html';
        ctx.set('content-security-policy', PAGE_CSP);
        ctx.body = renderMessagePage('Sign-in error', `${out.error ?? 'server_error'}: ${out.error_description ?? 'the request could not be completed'}`);
      },
      // Everything the defaults would announce as "you SHOULD change this" is set here, so the log stays quiet.
      clientBasedCORS: () => false,
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 300,
        IdToken: 3600,
        RefreshToken: 30 * 24 * 3600,
        Interaction: 3600,
        Session: 8 * 3600,
        Grant: 30 * 24 * 3600,
      },
    });

    provider.on('refresh_token.saved', () => {
      refreshTokensIssued++;
    });
    provider.on('end_session.success', () => {
      endedSessions++;
    });
    // Refresh tokens are destroyed only by /oauth2/revoke here (the bridge never uses the refresh grant, whose
    // rotation would destroy one too), so every destroyed refresh token is a revocation.
    provider.on('refresh_token.destroyed', (token: OidcToken) => {
      revokedTokens.push({ accountId: token.accountId, clientId: token.clientId });
    });

    const providerListener = provider.callback();
    listener = (req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        handleInteraction(provider, clientName, url, req, res).catch((error: unknown) => {
          console.error(`[oidc] interaction failed: ${error instanceof Error ? error.name : 'unknown error'}`);
          respond(res, 500, renderMessagePage('Sign-in error', 'The sign-in page failed. Start again from the site.'));
        });
        return;
      }
      if (url.pathname === ROUTES.end_session) cognitoLogoutParameters(req, url);
      providerListener(req, res);
    };
  } catch (error) {
    await server.close();
    throw error;
  }

  return {
    issuer,
    port: server.port,
    get revokedTokens() {
      return [...revokedTokens];
    },
    get refreshTokensIssued() {
      return refreshTokensIssued;
    },
    get endedSessions() {
      return endedSessions;
    },
    close: () => server.close(),
  };
}

/**
 * Cognito's /logout takes `logout_uri`; the standard end-session endpoint takes `post_logout_redirect_uri`.
 * Accept both, so the bridge's Cognito-domain logout works here too (the URI is still checked against the client).
 */
function cognitoLogoutParameters(req: IncomingMessage, url: URL): void {
  const logoutUri = url.searchParams.get('logout_uri');
  if (logoutUri === null || url.searchParams.has('post_logout_redirect_uri')) return;
  url.searchParams.delete('logout_uri');
  url.searchParams.set('post_logout_redirect_uri', logoutUri);
  req.url = `${url.pathname}?${url.searchParams.toString()}`;
}

/** GET /interaction/:uid shows the sign-in page; POST …/login checks the password; POST …/abort cancels. */
async function handleInteraction(provider: Provider, clientName: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [, , uid, action] = url.pathname.split('/');
  let interaction: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    return respond(res, 400, renderMessagePage('Sign-in expired', 'This sign-in page has expired or was opened in another browser. Go back to the site and start again.'));
  }
  if (interaction.uid !== uid) return respond(res, 400, renderMessagePage('Sign-in expired', 'This sign-in page does not belong to the current sign-in. Start again.'));
  const base = `/interaction/${encodeURIComponent(interaction.uid)}`;
  const page = { action: `${base}/login`, abortAction: `${base}/abort`, clientName };

  if (req.method === 'GET' && action === undefined) {
    if (interaction.prompt.name === 'login') return respond(res, 200, renderSignInPage(page));
    // Any other prompt (consent) is granted at once, as Cognito does for its app clients.
    return finishConsent(provider, interaction, req, res);
  }
  if (req.method === 'POST' && action === 'login') {
    // A sign-in form is tiny: anything larger is not one.
    const form = new URLSearchParams((await readBody(req, 16 * 1024))?.toString('utf8') ?? '');
    const username = form.get('username') ?? '';
    const user = verifyDemoUser(username, form.get('password') ?? '');
    if (!user) return respond(res, 401, renderSignInPage({ ...page, username, error: 'Incorrect username or password.' }));
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, { mergeWithLastSubmission: false });
  }
  respond(res, 405, renderMessagePage('Not allowed', `${req.method ?? 'This method'} is not allowed here.`));
}

async function finishConsent(provider: Provider, interaction: Awaited<ReturnType<Provider['interactionDetails']>>, req: IncomingMessage, res: ServerResponse) {
  const grant = interaction.grantId
    ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) }))
    : new provider.Grant({ accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
  grant.addOIDCScope(GRANTED_SCOPE);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function respond(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy': PAGE_CSP,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

