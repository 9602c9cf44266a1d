// Builds the long-lived collaborators once per container from the configuration: the secrets cache,
// the OIDC client, the state-cookie codec (rebuilt only when its key changes) and the TwentyThree client.
import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createOidcClient, type OidcClient } from './auth/oidc.js';
import { createStateCookies } from './auth/state-cookie.js';
import type { AccessPolicy, Config } from './config.js';
import { readClientSecret, readStateKeyMaterial, readTwentyThreeCredentials } from './secrets/bridge-secrets.js';
import { SecretCache } from './secrets/secret-cache.js';
import { createTwentyThreeClient } from './twentythree/client.js';

export interface Services {
  readonly siteOrigin: string;
  readonly returnUrlHosts: readonly string[];
  readonly accessPolicy: AccessPolicy;
  readonly oidc: OidcClient;
  readonly stateCookies: () => Promise<ReturnType<typeof createStateCookies>>;
  readonly twentyThree: ReturnType<typeof createTwentyThreeClient>;
  readonly logger: Logger;
  /** Fetches what every sign-in needs (secrets, provider metadata) ahead of the first request; never throws. */
  readonly warmUp: () => Promise<void>;
}

export interface ServiceDeps {
  readonly logger: Logger;
  /** Defaults to a client from the standard AWS configuration (env, including AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  readonly secretsClient?: SecretsManagerClient;
  /** Clock in milliseconds for the state cookie's lifetime (tests). */
  readonly now?: () => number;
}

export function createServices(config: Config, deps: ServiceDeps): Services {
  const secrets = new SecretCache({
    // Bounded, so a Secrets Manager that hangs fails the request (502) well before the Lambda timeout.
    client: deps.secretsClient ?? new SecretsManagerClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 }, maxAttempts: 2 }),
    maxAgeMs: config.secretsMaxAgeSeconds * 1000,
  });
  const clientSecretId = config.oidcClientSecretId;
  const oidc = createOidcClient({
    issuer: config.oidcIssuer,
    clientId: config.oidcClientId,
    callbackUrl: config.callbackUrl,
    getClientSecret: clientSecretId === undefined ? undefined : () => readClientSecret(secrets, clientSecretId),
    cognitoDomainUrl: config.cognitoDomainUrl,
    identityProvider: config.identityProvider,
    timeoutSeconds: config.oidcTimeoutSeconds,
    now: deps.now,
    // Plain http only ever passes config validation on loopback (local mode).
    allowInsecureRequests: new URL(config.oidcIssuer).protocol === 'http:' || config.cognitoDomainUrl?.startsWith('http:') === true,
  });

  let codec: { material: string; cookies: ReturnType<typeof createStateCookies> } | undefined;
  async function stateCookies() {
    const material = await readStateKeyMaterial(secrets, config.stateKeySecretId);
    if (codec === undefined || codec.material !== material) {
      codec = {
        material,
        cookies: createStateCookies({
          keyMaterial: material,
          maxAgeSeconds: config.stateMaxAgeSeconds,
          // Browsers keep Secure cookies on http://localhost, but other clients may not: Secure follows the callback's scheme.
          secure: config.callbackUrl.startsWith('https:'),
          now: deps.now,
        }),
      };
    }
    return codec.cookies;
  }

  const twentyThree = createTwentyThreeClient({
    siteOrigin: config.siteOrigin,
    timeoutMs: config.twentyThreeTimeoutMs,
    getCredentials: (options) => readTwentyThreeCredentials(secrets, config.twentyThreeSecretId, options),
  });

  return {
    siteOrigin: config.siteOrigin,
    returnUrlHosts: config.returnUrlHosts,
    accessPolicy: config.accessPolicy,
    oidc,
    stateCookies,
    twentyThree,
    logger: deps.logger,
    async warmUp() {
      await Promise.allSettled([
        oidc.warmUp(),
        stateCookies(),
        readTwentyThreeCredentials(secrets, config.twentyThreeSecretId),
      ]);
    },
  };
}
