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
  /** Clock skew tolerance for ID-token timestamps, in seconds. */
  readonly clockToleranceSeconds?: number;
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
}

const SCOPE = 'openid email profile';
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
      throw new IdentityProviderUnavailableError(`OIDC discovery failed for ${issuerUrl.origin}: ${describe(error)}`, { cause: error });
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
      const claims = tokens.claims();
      if (!claims) throw new IdTokenError('the token response carried no ID token');
      if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new IdTokenError('the ID token has no subject');
      const tokenUse = (claims as Record<string, unknown>).token_use;
      if (tokenUse !== undefined ? tokenUse !== 'id' : requireTokenUse) {
        throw new IdTokenError(`the token is not an ID token (token_use=${String(tokenUse).slice(0, 20)})`);
      }
      return { claims: claims as SignIn['claims'], refreshToken: tokens.refresh_token };
    },

    async revoke(refreshToken) {
      try {
        const config = await configuration();
        if (!config.serverMetadata().revocation_endpoint) return false;
        await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
        return true;
      } catch {
        return false;
      }
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

/** Maps openid-client failures of the code exchange to our errors; names, codes and messages only. */
function translateGrantError(error: unknown): Error {
  if (error instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code was already used, expired, or belongs to another session's PKCE verifier.
    return error.error === 'invalid_grant'
      ? new TokenExchangeError(400, `token endpoint refused the code: ${error.error}`, { cause: error })
      : new TokenExchangeError(502, `token endpoint answered ${error.status} ${error.error}`, { cause: error });
  }
  if (isNetworkError(error)) {
    return new IdentityProviderUnavailableError(`token endpoint unreachable: ${describe(error)}`, { cause: error });
  }
  return new IdTokenError(`token response rejected: ${describe(error)}`, { cause: error });
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/** A short, secret-free description of a library error for the logs. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message.slice(0, 200)}`;
}
