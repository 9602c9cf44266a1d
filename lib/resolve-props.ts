// Validates the construct's props (before anything is built) and fills in the defaults.
import { Token, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { TwentyThreeSsoBridgeProps } from './bridge-props.js';
import { DEFAULTS, defaultDomainPrefix } from './defaults.js';
import {
  BridgeConfigError,
  checkCognitoDomain,
  checkDomainPrefix,
  checkGroups,
  checkHostList,
  checkIdentityProvider,
  checkSendEmail,
  checkSiteOrigin,
  quote,
  type SendEmail,
} from './validation.js';

/** Where people sign in: a pool the construct creates, or an existing one with its domain. */
export type ResolvedPool =
  | { readonly kind: 'create'; readonly domainPrefix: string }
  | { readonly kind: 'import'; readonly userPool: IUserPool; readonly domain: { kind: 'prefix' | 'custom'; value: string } };

export interface ResolvedBridgeProps {
  readonly siteOrigin: string;
  readonly twentyThreeSecret: ISecret | undefined;
  readonly pool: ResolvedPool;
  readonly managedLoginBranding: boolean;
  readonly allowedGroups: readonly string[];
  readonly allowedEmailDomains: readonly string[];
  readonly sendEmail: SendEmail;
  readonly identityProvider: string | undefined;
  readonly returnUrlHosts: readonly string[];
  readonly twentyThreeTimeout: Duration;
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly tracing: boolean;
}

function literal(name: string, value: string): string {
  // Tokens only resolve at deploy time, too late to check them or to derive the domain prefix from them.
  if (Token.isUnresolved(value)) throw new BridgeConfigError(`${name} must be a literal value, not a token.`);
  return value;
}

function literalList(name: string, values: readonly string[] | undefined): readonly string[] {
  if (values === undefined) return [];
  if (Token.isUnresolved(values) || values.some((v) => Token.isUnresolved(v))) {
    throw new BridgeConfigError(`${name} must be a list of literal values, not tokens.`);
  }
  return values;
}

function resolvePool(props: TwentyThreeSsoBridgeProps, siteOrigin: string, constructPath: string): ResolvedPool {
  if (props.userPool === undefined) {
    if (props.cognitoDomain !== undefined) {
      throw new BridgeConfigError('cognitoDomain applies only to an existing userPool; use cognitoDomainPrefix to name the created pool\'s domain.');
    }
    const domainPrefix =
      props.cognitoDomainPrefix === undefined
        ? defaultDomainPrefix(siteOrigin, constructPath)
        : checkDomainPrefix(literal('cognitoDomainPrefix', props.cognitoDomainPrefix));
    return { kind: 'create', domainPrefix };
  }
  if (props.cognitoDomainPrefix !== undefined) {
    throw new BridgeConfigError('cognitoDomainPrefix applies only to the created user pool; with an existing userPool, set cognitoDomain.');
  }
  if (props.cognitoDomain === undefined) {
    throw new BridgeConfigError('cognitoDomain is required with userPool: set it to the domain prefix or custom domain host of that pool.');
  }
  return { kind: 'import', userPool: props.userPool, domain: checkCognitoDomain(literal('cognitoDomain', props.cognitoDomain)) };
}

function resolveTimeout(timeout: Duration | undefined): Duration {
  if (timeout === undefined) return DEFAULTS.twentyThreeTimeout;
  const ms = timeout.toMilliseconds();
  if (!(ms >= 1000 && ms <= DEFAULTS.maxTwentyThreeTimeout.toMilliseconds())) {
    throw new BridgeConfigError(`twentyThreeTimeout must be from 1 to 8 seconds (the function stops after 10), got ${ms} ms.`);
  }
  return timeout;
}

function resolveThrottle(props: TwentyThreeSsoBridgeProps): { rateLimit: number; burstLimit: number } {
  const rateLimit = props.throttle?.rateLimit ?? DEFAULTS.rateLimit;
  const burstLimit = props.throttle?.burstLimit ?? DEFAULTS.burstLimit;
  if (!(Number.isFinite(rateLimit) && rateLimit > 0)) {
    throw new BridgeConfigError(`throttle.rateLimit must be a positive number of requests per second, got ${quote(String(rateLimit))}.`);
  }
  if (!(Number.isInteger(burstLimit) && burstLimit > 0)) {
    throw new BridgeConfigError(`throttle.burstLimit must be a positive whole number of requests, got ${quote(String(burstLimit))}.`);
  }
  return { rateLimit, burstLimit };
}

/** Checks every prop, in declaration order, and returns them with defaults applied. Throws BridgeConfigError. */
export function resolveBridgeProps(props: TwentyThreeSsoBridgeProps, constructPath: string): ResolvedBridgeProps {
  const siteOrigin = checkSiteOrigin(literal('twentyThreeUrl', props.twentyThreeUrl));
  const pool = resolvePool(props, siteOrigin, constructPath);
  const sendEmail = checkSendEmail(props.sendEmail ?? DEFAULTS.sendEmail);
  return {
    siteOrigin,
    twentyThreeSecret: props.twentyThreeSecret,
    pool,
    managedLoginBranding: props.managedLoginBranding ?? pool.kind === 'create',
    allowedGroups: checkGroups(literalList('allowedGroups', props.allowedGroups)),
    allowedEmailDomains: checkHostList('allowedEmailDomains', 'e-mail domains', 'example.com', literalList('allowedEmailDomains', props.allowedEmailDomains)),
    sendEmail,
    identityProvider: props.identityProvider === undefined ? undefined : checkIdentityProvider(literal('identityProvider', props.identityProvider)),
    returnUrlHosts: checkHostList('returnUrlHosts', 'host names', 'www.example.com', literalList('returnUrlHosts', props.returnUrlHosts)),
    twentyThreeTimeout: resolveTimeout(props.twentyThreeTimeout),
    ...resolveThrottle(props),
    logRetention: props.logRetention ?? DEFAULTS.logRetention,
    removalPolicy: props.removalPolicy ?? DEFAULTS.secretRemovalPolicy,
    tracing: props.tracing ?? false,
  };
}
