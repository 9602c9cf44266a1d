// Reads the function's environment once, at cold start, into a frozen, typed object.
// A missing or malformed variable stops the function with one sentence that names it.
import { ConfigError } from './errors.js';

export type SendEmailPolicy = 'verified' | 'never';

export interface AccessPolicy {
  /** Admit only members of at least one of these Cognito groups; empty = any signed-in user. */
  readonly allowedGroups: readonly string[];
  /** Admit only verified e-mails in these domains (exact, lower-case); empty = any. */
  readonly allowedEmailDomains: readonly string[];
  /** `verified`: send the e-mail to TwentyThree only when `email_verified` is true; `never`: never send it. */
  readonly sendEmail: SendEmailPolicy;
}

export interface Config {
  /** TwentyThree site origin, e.g. `https://videos.example.com` (no trailing slash). */
  readonly siteOrigin: string;
  /** Secrets Manager id (ARN or name) of `{consumer_key, consumer_secret, access_token, access_token_secret}`. */
  readonly twentyThreeSecretId: string;
  /** get-token timeout in milliseconds. */
  readonly twentyThreeTimeoutMs: number;
  /** OIDC issuer, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc`. */
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  /** Timeout of each call to the provider (discovery, token, JWKS, revoke), in seconds. */
  readonly oidcTimeoutSeconds: number;
  /** Secrets Manager id of the app client's secret; undefined for a public client. */
  readonly oidcClientSecretId: string | undefined;
  /** Cognito domain base URL (`https://x.auth.region.amazoncognito.com`); undefined = use discovery only. */
  readonly cognitoDomainUrl: string | undefined;
  /** Federated IdP to send people to directly (Cognito `identity_provider`); undefined = Cognito chooser. */
  readonly identityProvider: string | undefined;
  /** The exact `redirect_uri`: never derived from request headers. */
  readonly callbackUrl: string;
  /** Secrets Manager id of the key material that encrypts the sign-in state cookie. */
  readonly stateKeySecretId: string;
  /** Lifetime of a sign-in attempt (the state cookie), in seconds. */
  readonly stateMaxAgeSeconds: number;
  /** How long a secret is cached per container, in seconds. */
  readonly secretsMaxAgeSeconds: number;
  /** Extra hosts (besides the site's) that `return_url` may point at. */
  readonly returnUrlHosts: readonly string[];
  readonly accessPolicy: AccessPolicy;
  /** True when plain-http endpoints are in use (loopback only): cookies drop `Secure`, openid-client allows http. */
  readonly insecureLoopback: boolean;
}

type Env = Record<string, string | undefined>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `localhost`, `127.0.0.1` and `[::1]`: the only hosts allowed over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

function required(env: Env, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set: set it to ${what}.`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Parses an https URL (http only on loopback); returns it without a trailing slash. */
export function parseServiceUrl(name: string, value: string, options: { originOnly?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL ("${value.slice(0, 100)}"): set it to an https:// URL.`);
  }
  const plainHttpAllowed = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new ConfigError(`${name} must be an https:// URL (plain http is allowed only on localhost), got "${url.protocol}//${url.host}".`);
  }
  if (url.username || url.password) throw new ConfigError(`${name} must not contain a user name or password.`);
  if (url.search || url.hash) throw new ConfigError(`${name} must not have a query string or fragment.`);
  if (options.originOnly && url.pathname !== '/') {
    throw new ConfigError(`${name} must be the site's origin only (like https://videos.example.com), without a path.`);
  }
  return url;
}

function positiveInt(env: Env, name: string, fallback: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${raw.slice(0, 40)}".`);
  }
  return Number(raw);
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function parseList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

function hostList(env: Env, name: string, what: string): string[] {
  return parseList(env[name]).map((entry) => {
    const host = entry.toLowerCase();
    if (!HOST_PATTERN.test(host)) throw new ConfigError(`${name} must be a comma-separated list of ${what} (like example.com), got "${entry.slice(0, 100)}".`);
    return host;
  });
}

/** Reads and validates the whole configuration. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const site = parseServiceUrl('TWENTYTHREE_URL', required(env, 'TWENTYTHREE_URL', 'the TwentyThree site URL, like https://videos.example.com'), { originOnly: true });
  const issuer = parseServiceUrl('OIDC_ISSUER', required(env, 'OIDC_ISSUER', 'the OpenID Connect issuer URL of the Cognito user pool'));
  const callback = parseServiceUrl('CALLBACK_URL', required(env, 'CALLBACK_URL', "the bridge's own /callback URL"));
  if (!callback.pathname.endsWith('/callback')) throw new ConfigError('CALLBACK_URL must end with /callback.');
  const cognitoDomainRaw = optional(env, 'COGNITO_DOMAIN_URL');
  const cognitoDomain = cognitoDomainRaw === undefined ? undefined : parseServiceUrl('COGNITO_DOMAIN_URL', cognitoDomainRaw, { originOnly: true });

  const sendEmail = optional(env, 'SEND_EMAIL') ?? 'verified';
  if (sendEmail !== 'verified' && sendEmail !== 'never') {
    throw new ConfigError(`SEND_EMAIL must be "verified" or "never", got "${sendEmail.slice(0, 40)}".`);
  }
  const identityProvider = optional(env, 'IDENTITY_PROVIDER');
  if (identityProvider !== undefined && !/^[\p{L}\p{N}_\-. ]{1,32}$/u.test(identityProvider)) {
    throw new ConfigError('IDENTITY_PROVIDER must be the name of a federated identity provider of the user pool (1-32 letters, digits, spaces, "_", "-", ".").');
  }

  const insecureLoopback = [site, issuer, callback, cognitoDomain].some((u) => u?.protocol === 'http:');

  return Object.freeze({
    siteOrigin: site.origin,
    twentyThreeSecretId: required(env, 'TWENTYTHREE_SECRET_ID', 'the ARN or name of the Secrets Manager secret holding the TwentyThree OAuth credentials'),
    twentyThreeTimeoutMs: positiveInt(env, 'TWENTYTHREE_TIMEOUT_MS', 5000, 25000),
    oidcIssuer: issuer.href.replace(/\/$/, ''),
    oidcClientId: required(env, 'OIDC_CLIENT_ID', 'the Cognito app client id'),
    oidcTimeoutSeconds: positiveInt(env, 'OIDC_TIMEOUT_SECONDS', 4, 20),
    oidcClientSecretId: optional(env, 'OIDC_CLIENT_SECRET_ID'),
    cognitoDomainUrl: cognitoDomain?.origin,
    identityProvider,
    callbackUrl: callback.href,
    stateKeySecretId: required(env, 'STATE_KEY_SECRET_ID', 'the ARN or name of the Secrets Manager secret that holds the state-cookie key'),
    stateMaxAgeSeconds: positiveInt(env, 'STATE_MAX_AGE_SECONDS', 600, 3600),
    secretsMaxAgeSeconds: positiveInt(env, 'SECRETS_MAX_AGE_SECONDS', 300, 86400),
    returnUrlHosts: Object.freeze(hostList(env, 'RETURN_URL_HOSTS', 'host names')),
    accessPolicy: Object.freeze({
      allowedGroups: Object.freeze(parseList(env.ALLOWED_GROUPS)),
      allowedEmailDomains: Object.freeze(hostList(env, 'ALLOWED_EMAIL_DOMAINS', 'e-mail domains')),
      sendEmail,
    }),
    insecureLoopback,
  });
}
