// The OpenID Connect client: openid-client behind our own small API and typed errors.
// Discovery runs once per container; the configuration is rebuilt only when the client secret changes,
// so the JWKS cache that verifies ID-token signatures lives as long as the container.
import * as oidc from 'openid-client';
import { IdTokenError, IdentityProviderUnavailableError, TokenExchangeError } from '../errors.js';
import type { FlowState } from './state-cookie.js';

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** The exact redirect_uri registered at the provider; never derived from request headers. */
  readonly callbackUrl: string;
  /** Returns the app client's secret; undefined for a public client. Called per request (cache it). */
  readonly getClientSecret?: () => Promise<string>;
  /** Cognito domain base URL: its /oauth2/authorize, /oauth2/token, /oauth2/revoke and /logout are used. */
  readonly cognitoDomainUrl?: string;
  /** Federated IdP to skip the Cognito chooser (`identity_provider`). */
  readonly identityProvider?: string;
  /** Allows plain http: only for loopback providers in local mode. */
  readonly allowInsecureRequests: boolean;
  /** Per-request timeout towards the provider, in seconds. */
  readonly timeoutSeconds?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** What the bridge keeps from a successful code exchange: the verified claims and the token to revoke. */
export interface SignIn {
  readonly claims: Readonly<Record<string, unknown>> & { readonly sub: string };
  readonly refreshToken: string | undefined;
}

export interface OidcClient {
  /** Fresh random values for one sign-in attempt. */
  newFlow(returnUrl: string): FlowState;
  /** The provider's authorization URL for this flow (PKCE S256, state, nonce). */
  authorizationUrl(flow: FlowState): Promise<string>;
  /** Exchanges the code in `callbackQuery` and verifies the ID token completely. */
  exchangeCode(callbackQuery: URLSearchParams, flow: FlowState): Promise<SignIn>;
  /** Revokes a refresh token; resolves false (never throws) when the provider refused or was unreachable. */
  revoke(refreshToken: string): Promise<boolean>;
  /** Where /logout sends the browser to end the provider session, returning to `returnTo` afterwards. */
  logoutUrl(returnTo: string): Promise<string>;
  /** Runs discovery and reads the client secret now (cold start); failures are left for a request to report. */
  warmUp(): Promise<void>;
}

const SCOPE = 'openid email profile';
/** openid-client's own clock tolerance for exp/nbf; used for our `iat` check too. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** openid-client codes that mean "the provider did not answer properly", not "the answer was forged". */
const UNAVAILABLE_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);
const COGNITO_ISSUER_HOST = /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export function createOidcClient(options: OidcClientOptions): OidcClient {
  const issuerUrl = new URL(options.issuer);
  // Cognito puts `token_use` in every token; requiring it there stops an access token posing as an ID token.
  const requireTokenUse = COGNITO_ISSUER_HOST.test(issuerUrl.hostname);
  let metadata: Promise<oidc.ServerMetadata> | undefined;
  let current: { secret: string | undefined; configuration: oidc.Configuration } | undefined;

  function discover(): Promise<oidc.ServerMetadata> {
    metadata ??= (async () => {
      const discovered = await oidc.discovery(issuerUrl, options.clientId, undefined, oidc.None(), {
        execute: options.allowInsecureRequests ? [oidc.allowInsecureRequests] : [],
        timeout: options.timeoutSeconds ?? 5,
      });
      const server: { -readonly [K in keyof oidc.ServerMetadata]: oidc.ServerMetadata[K] } = { ...discovered.serverMetadata() };
      if (options.cognitoDomainUrl) {
        // Cognito's discovery document omits the revocation endpoint, and a custom domain should be used
        // for every browser-facing URL: take all hosted-UI endpoints from the configured domain.
        server.authorization_endpoint = `${options.cognitoDomainUrl}/oauth2/authorize`;
        server.token_endpoint = `${options.cognitoDomainUrl}/oauth2/token`;
        server.revocation_endpoint = `${options.cognitoDomainUrl}/oauth2/revoke`;
      }
      return server;
    })().catch((error: unknown) => {
      metadata = undefined; // a failed discovery must not poison the container
      throw new IdentityProviderUnavailableError(`OIDC discovery failed for ${issuerUrl.origin}: ${describe(error)}`, { cause: summary(error) });
    });
    return metadata;
  }

  async function configuration(): Promise<oidc.Configuration> {
    const [server, secret] = await Promise.all([discover(), options.getClientSecret?.()]);
    if (current && current.secret === secret) return current.configuration;
    const configuration = new oidc.Configuration(
      server,
      options.clientId,
      { id_token_signed_response_alg: 'RS256' },
      secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
    );
    if (options.allowInsecureRequests) oidc.allowInsecureRequests(configuration);
    // openid-client skips the ID-token signature check for tokens from the token endpoint (TLS is trusted);
    // we verify it against the provider's JWKS anyway, so a compromised or spoofed token endpoint cannot mint users.
    oidc.enableNonRepudiationChecks(configuration);
    configuration.timeout = options.timeoutSeconds ?? 5;
    current = { secret, configuration };
    return configuration;
  }

  async function revoke(refreshToken: string): Promise<boolean> {
    try {
      const config = await configuration();
      if (!config.serverMetadata().revocation_endpoint) return false;
      await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
      return true;
    } catch {
      return false;
    }
  }

  function ourClaimChecks(claims: Record<string, unknown> | undefined): string | undefined {
    if (!claims) return 'the token response carried no ID token';
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) return 'the ID token has no subject';
    const tokenUse = claims.token_use;
    if (tokenUse !== undefined ? tokenUse !== 'id' : requireTokenUse) return `the token is not an ID token (token_use=${String(tokenUse).slice(0, 20)})`;
    // openid-client checks azp only when aud lists several clients; a token issued to another client never passes.
    if (claims.azp !== undefined && claims.azp !== options.clientId) return 'the ID token was issued to another client (azp)';
    // openid-client only checks that iat is a number; one from the future means a forged or broken clock.
    const now = Math.floor((options.now ?? Date.now)() / 1000);
    if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_TOLERANCE_SECONDS) return 'the ID token was issued in the future (iat)';
    return undefined;
  }

  return {
    newFlow(returnUrl) {
      return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnUrl };
    },

    async authorizationUrl(flow) {
      const config = await configuration();
      const parameters: Record<string, string> = {
        redirect_uri: options.callbackUrl,
        scope: SCOPE,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      };
      if (options.identityProvider) parameters.identity_provider = options.identityProvider;
      return oidc.buildAuthorizationUrl(config, parameters).href;
    },

    async exchangeCode(callbackQuery, flow) {
      const config = await configuration();
      // The current URL is rebuilt from the configured callback, so `redirect_uri` never comes from Host headers.
      const currentUrl = new URL(options.callbackUrl);
      currentUrl.search = callbackQuery.toString();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(
          config,
          currentUrl,
          { expectedState: flow.state, expectedNonce: flow.nonce, pkceCodeVerifier: flow.codeVerifier, idTokenExpected: true },
          { redirect_uri: options.callbackUrl },
        );
      } catch (error) {
        throw translateGrantError(error);
      }
      // openid-client has checked signature, iss, aud, exp, nbf and nonce; these are the checks it leaves to us.
      const problem = ourClaimChecks(tokens.claims() as Record<string, unknown> | undefined);
      if (problem !== undefined) {
        // The sign-in is refused, but the provider did issue tokens: leave no live refresh token behind.
        if (tokens.refresh_token) await revoke(tokens.refresh_token);
        throw new IdTokenError(problem);
      }
      return { claims: tokens.claims() as SignIn['claims'], refreshToken: tokens.refresh_token };
    },

    revoke,

    async warmUp() {
      await configuration().catch(() => undefined);
    },

    async logoutUrl(returnTo) {
      if (options.cognitoDomainUrl) {
        // Cognito's /logout takes `client_id` and `logout_uri` (which must be one of the client's sign-out URLs).
        const url = new URL(`${options.cognitoDomainUrl}/logout`);
        url.searchParams.set('client_id', options.clientId);
        url.searchParams.set('logout_uri', returnTo);
        return url.href;
      }
      try {
        const config = await configuration();
        if (!config.serverMetadata().end_session_endpoint) return returnTo;
        return oidc.buildEndSessionUrl(config, { client_id: options.clientId, post_logout_redirect_uri: returnTo }).href;
      } catch {
        return returnTo; // the provider is down: at least send the visitor back to the site
      }
    },
  };
}

/**
 * Maps openid-client failures of the code exchange to our errors. The cause kept is only a name and code:
 * openid-client's own errors can hold the token response, live tokens included.
 */
function translateGrantError(error: unknown): Error {
  if (error instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code was already used, expired, or belongs to another session's PKCE verifier.
    return error.error === 'invalid_grant'
      ? new TokenExchangeError(400, `token endpoint refused the code: ${error.error}`, { cause: summary(error) })
      : new TokenExchangeError(502, `token endpoint answered ${error.status} ${error.error}`, { cause: summary(error) });
  }
  if (isUnavailable(error)) {
    return new IdentityProviderUnavailableError(`token endpoint did not answer properly: ${describe(error)}`, { cause: summary(error) });
  }
  return new IdTokenError(`token response rejected: ${describe(error)}`, { cause: summary(error) });
}

/** Timeouts, aborts, network failures and non-OAuth answers (an HTML 5xx page): an outage, not a forgery. */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
  }
  return false;
}

/**
 * A short, secret-free description for the logs: each level's name, code and message (library messages
 * are fixed texts such as "unexpected JWT alg header value"), never a cause's data.
 */
export function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${e.name}${typeof code === 'string' ? ` ${code}` : ''}: ${e.message.slice(0, 160)}`);
  }
  return parts.length > 0 ? parts.join(' <- ') : 'unknown error';
}

/** What an error may carry as `cause`: its name and code, never its payload. */
function summary(error: unknown): { name: string; code?: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return { name: error instanceof Error ? error.name : typeof error, ...(typeof code === 'string' ? { code } : {}) };
}
