// Reads local mode's environment: PORT, and which embedded parts are swapped for real ones
// (TWENTYTHREE_* for a real site, OIDC_* for a real provider). A missing or malformed value stops
// start-up with one sentence that names it and says what to set.
import { parseServiceUrl } from '../lambda/config.js';
import { ConfigError } from '../lambda/errors.js';

/** Thrown for a bad local-mode setting; `message` is the one sentence to show. */
export class LocalSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSettingsError';
  }
}

export interface RealTwentyThree {
  readonly siteOrigin: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly accessToken: string;
  readonly accessTokenSecret: string;
}

export interface RealOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined for a public client. */
  readonly clientSecret: string | undefined;
  /** Cognito's hosted-UI domain, for /logout and /oauth2/revoke (Cognito's discovery names neither). */
  readonly cognitoDomainUrl: string | undefined;
}

export interface LocalSettings {
  /** The bridge's port (default 3000). */
  readonly port: number;
  /** Undefined = run the TwentyThree sandbox. */
  readonly twentyThree: RealTwentyThree | undefined;
  /** Undefined = run the embedded OpenID provider. */
  readonly oidc: RealOidcProvider | undefined;
  /** Handler settings passed through unchanged (access policy, timeouts, log level…); lambda/config.ts checks them. */
  readonly handlerEnv: Readonly<Record<string, string>>;
}

export const DEFAULT_PORT = 3000;

export const TWENTYTHREE_VARIABLES = [
  'TWENTYTHREE_URL',
  'TWENTYTHREE_CONSUMER_KEY',
  'TWENTYTHREE_CONSUMER_SECRET',
  'TWENTYTHREE_ACCESS_TOKEN',
  'TWENTYTHREE_ACCESS_TOKEN_SECRET',
] as const;

/** The handler's own tuning variables a developer may set to try them locally (never ids or secrets: local mode sets those). */
export const PASS_THROUGH_VARIABLES = [
  'TWENTYTHREE_TIMEOUT_MS',
  'OIDC_TIMEOUT_SECONDS',
  'STATE_MAX_AGE_SECONDS',
  'SECRETS_MAX_AGE_SECONDS',
  'RETURN_URL_HOSTS',
  'ALLOWED_GROUPS',
  'ALLOWED_EMAIL_DOMAINS',
  'SEND_EMAIL',
  'IDENTITY_PROVIDER',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_SERVICE_NAME',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** A URL that must be https, or plain http on localhost / 127.0.0.1 (lambda/config.ts's rule, reworded for local mode). */
function serviceUrl(name: string, raw: string, originOnly: boolean): URL {
  try {
    return parseServiceUrl(name, raw, { originOnly });
  } catch (error) {
    if (error instanceof ConfigError) throw new LocalSettingsError(error.message);
    throw error;
  }
}

export function readLocalSettings(env: Env): LocalSettings {
  const rawPort = value(env, 'PORT');
  let port = DEFAULT_PORT;
  if (rawPort !== undefined) {
    if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) {
      throw new LocalSettingsError(`PORT must be a whole number from 1 to 65535, got "${rawPort.slice(0, 40)}".`);
    }
    port = Number(rawPort);
  }

  // TwentyThree: all five or none, so a half-configured real site never silently falls back to the sandbox.
  const present = TWENTYTHREE_VARIABLES.filter((name) => value(env, name) !== undefined);
  let twentyThree: RealTwentyThree | undefined;
  if (present.length > 0 && present.length < TWENTYTHREE_VARIABLES.length) {
    const missing = TWENTYTHREE_VARIABLES.filter((name) => !present.includes(name));
    throw new LocalSettingsError(
      `To use a real TwentyThree site, set all five of ${TWENTYTHREE_VARIABLES.join(', ')} (or none, for the sandbox); missing: ${missing.join(', ')}.`,
    );
  }
  if (present.length === TWENTYTHREE_VARIABLES.length) {
    twentyThree = {
      siteOrigin: serviceUrl('TWENTYTHREE_URL', value(env, 'TWENTYTHREE_URL') as string, true).origin,
      consumerKey: value(env, 'TWENTYTHREE_CONSUMER_KEY') as string,
      consumerSecret: value(env, 'TWENTYTHREE_CONSUMER_SECRET') as string,
      accessToken: value(env, 'TWENTYTHREE_ACCESS_TOKEN') as string,
      accessTokenSecret: value(env, 'TWENTYTHREE_ACCESS_TOKEN_SECRET') as string,
    };
  } else if (port === 65535) {
    throw new LocalSettingsError('PORT must be at most 65534 while the TwentyThree sandbox runs, because the sandbox listens on PORT+1.');
  }

  // OpenID provider: issuer and client id together; the secret only alongside them.
  const issuer = value(env, 'OIDC_ISSUER');
  const clientId = value(env, 'OIDC_CLIENT_ID');
  const clientSecret = value(env, 'OIDC_CLIENT_SECRET');
  const cognitoDomain = value(env, 'COGNITO_DOMAIN_URL');
  let oidc: RealOidcProvider | undefined;
  if (issuer === undefined && clientId === undefined) {
    const stray = [clientSecret !== undefined && 'OIDC_CLIENT_SECRET', cognitoDomain !== undefined && 'COGNITO_DOMAIN_URL'].filter(Boolean);
    if (stray.length > 0) {
      const [verb, pronoun] = stray.length > 1 ? ['apply', 'them'] : ['applies', 'it'];
      throw new LocalSettingsError(`${stray.join(' and ')} only ${verb} to a real provider: set OIDC_ISSUER and OIDC_CLIENT_ID too, or unset ${pronoun}.`);
    }
  } else if (issuer === undefined || clientId === undefined) {
    throw new LocalSettingsError(
      `To use a real OpenID provider, set both OIDC_ISSUER and OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET if the app client has one); missing: ${issuer === undefined ? 'OIDC_ISSUER' : 'OIDC_CLIENT_ID'}.`,
    );
  } else {
    oidc = {
      issuer: serviceUrl('OIDC_ISSUER', issuer, false).href.replace(/\/$/, ''),
      clientId,
      clientSecret,
      cognitoDomainUrl: cognitoDomain === undefined ? undefined : serviceUrl('COGNITO_DOMAIN_URL', cognitoDomain, true).origin,
    };
  }

  const handlerEnv: Record<string, string> = {};
  for (const name of PASS_THROUGH_VARIABLES) {
    const passed = value(env, name);
    if (passed !== undefined) handlerEnv[name] = passed;
  }
  return { port, twentyThree, oidc, handlerEnv };
}
