// The function's environment, named exactly as lambda/config.ts reads it. Only ids, URLs and policy:
// secret values stay in Secrets Manager and are fetched at run time.
import type { ResolvedBridgeProps } from '../resolve-props.js';
import { DEFAULTS } from '../defaults.js';

export interface EnvironmentInput {
  readonly props: ResolvedBridgeProps;
  readonly twentyThreeSecretId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecretId: string;
  readonly cognitoDomainUrl: string;
  readonly callbackUrl: string;
  readonly stateKeySecretId: string;
}

export function functionEnvironment(input: EnvironmentInput): Record<string, string> {
  const { props } = input;
  const env: Record<string, string> = {
    TWENTYTHREE_URL: props.siteOrigin,
    TWENTYTHREE_SECRET_ID: input.twentyThreeSecretId,
    TWENTYTHREE_TIMEOUT_MS: String(props.twentyThreeTimeout.toMilliseconds()),
    OIDC_ISSUER: input.issuer,
    OIDC_CLIENT_ID: input.clientId,
    OIDC_CLIENT_SECRET_ID: input.clientSecretId,
    COGNITO_DOMAIN_URL: input.cognitoDomainUrl,
    CALLBACK_URL: input.callbackUrl,
    STATE_KEY_SECRET_ID: input.stateKeySecretId,
    SEND_EMAIL: props.sendEmail,
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: DEFAULTS.serviceName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: DEFAULTS.metricsNamespace,
  };
  // Optional settings are left out rather than set empty, so the environment shows what is configured.
  if (props.identityProvider !== undefined) env.IDENTITY_PROVIDER = props.identityProvider;
  if (props.returnUrlHosts.length > 0) env.RETURN_URL_HOSTS = props.returnUrlHosts.join(',');
  if (props.allowedGroups.length > 0) env.ALLOWED_GROUPS = props.allowedGroups.join(',');
  if (props.allowedEmailDomains.length > 0) env.ALLOWED_EMAIL_DOMAINS = props.allowedEmailDomains.join(',');
  return env;
}
