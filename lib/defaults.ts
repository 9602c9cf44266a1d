// Every default of the TwentyThreeSsoBridge construct in one place, each with the reason for its value.
import { createHash } from 'node:crypto';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { isValidDomainPrefix } from './validation.js';

export const DEFAULTS = {
  /** TwentyThree answers get-token in well under a second; 5 s leaves room and still fails before the function does. */
  twentyThreeTimeout: Duration.seconds(5),
  /** Upper bound for twentyThreeTimeout: the callback also talks to Cognito inside the function's 10 s. */
  maxTwentyThreeTimeout: Duration.seconds(8),
  /** The function: the callback makes at most three outbound calls (token, JWKS, get-token), each bounded. */
  functionTimeout: Duration.seconds(10),
  /** 256 MB: JWT verification and the bundled SDK start noticeably faster than at 128 MB. */
  functionMemoryMb: 256,
  /** Sign-ins per second across the whole stage; a sign-in is three requests, so this is roughly 7 sign-ins/s. */
  rateLimit: 20,
  /** Short bursts, e.g. everyone opening the site at the start of a meeting. */
  burstLimit: 40,
  /** Enough to investigate a failed sign-in reported a few weeks later. */
  logRetention: RetentionDays.ONE_MONTH,
  /** Log groups outlive the stack, so a sign-in problem can still be investigated after a teardown (retention still applies). */
  logRemovalPolicy: RemovalPolicy.RETAIN,
  /** The TwentyThree secret holds credentials pasted by hand: keep them when the stack goes. */
  secretRemovalPolicy: RemovalPolicy.RETAIN,
  /** E-mail goes to TwentyThree only when Cognito says it is verified (TwentyThree trusts it for back-end login). */
  sendEmail: 'verified' as const,
  /** Powertools service name on every log line and metric. */
  serviceName: 'twentythree-sso',
  /** CloudWatch namespace of the function's own metrics (sign-ins, error pages by code). */
  metricsNamespace: 'TwentyThreeSso',
  /** Tokens are used once, right after the code exchange: the shortest lifetimes Cognito allows. */
  idTokenValidity: Duration.minutes(5),
  accessTokenValidity: Duration.minutes(5),
  refreshTokenValidity: Duration.minutes(60),
  /** Alarm when the API answers this many 5xx in five minutes (a single TwentyThree hiccup should not alarm). */
  serverErrorThreshold: 5,
  alarmPeriod: Duration.minutes(5),
} as const;

/** The placeholder structure of the TwentyThree secret: the four OAuth 1.0a values, all empty. */
export const TWENTYTHREE_SECRET_TEMPLATE = {
  consumer_key: '',
  consumer_secret: '',
  access_token: '',
  access_token_secret: '',
} as const;

const RESERVED_WORDS = /aws|amazon|cognito/g;

/**
 * A Cognito domain prefix for the created pool, derived from the site host plus a short hash of the site
 * and the construct path: stable across deployments, different for two bridges of the same site, and
 * valid by Cognito's rules (lower-case letters, digits, hyphens; at most 63; no "aws", "amazon", "cognito").
 */
export function defaultDomainPrefix(siteOrigin: string, constructPath: string): string {
  const hash = createHash('sha256').update(`${siteOrigin}\n${constructPath}`).digest('hex').slice(0, 8);
  let slug = new URL(siteOrigin).hostname.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  // Removing one reserved word can join two halves into another ("awaws" → "aws"): repeat until stable.
  for (let previous = ''; previous !== slug; ) {
    previous = slug;
    slug = slug.replace(RESERVED_WORDS, '');
  }
  slug = slug.replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '');
  // The hash is hex (no "w", "m", "o"), so joining it on cannot form a reserved word.
  const prefix = `${slug || 'site'}-sso-${hash}`;
  if (!isValidDomainPrefix(prefix)) throw new Error(`Internal error: derived an invalid Cognito domain prefix "${prefix}".`);
  return prefix;
}
