// The documented props of the TwentyThreeSsoBridge construct (defaults live in defaults.ts).
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/** Request limits of the API stage. */
export interface BridgeThrottleProps {
  /** Steady-state requests per second across the stage. @default 20 */
  readonly rateLimit?: number;
  /** Requests allowed in a burst above the rate. @default 40 */
  readonly burstLimit?: number;
}

export interface TwentyThreeSsoBridgeProps {
  /** Origin of the TwentyThree site, like `https://videos.example.com` (https, no path). */
  readonly twentyThreeUrl: string;

  /**
   * Secret holding the TwentyThree OAuth 1.0a credentials as JSON
   * `{consumer_key, consumer_secret, access_token, access_token_secret}`.
   * @default - a new secret with that structure and empty values, to be filled with `aws secretsmanager put-secret-value`
   */
  readonly twentyThreeSecret?: ISecret;

  /**
   * An existing user pool to sign people in with (then `cognitoDomain` is required).
   * @default - a new user pool: no self sign-up, e-mail sign-in, strong passwords, TOTP MFA required
   */
  readonly userPool?: IUserPool;

  /**
   * Domain of the existing `userPool`: its prefix (`my-sso`) or the host of its custom domain (`login.example.com`).
   * @default - none; required when `userPool` is given, not allowed otherwise
   */
  readonly cognitoDomain?: string;

  /**
   * Prefix of the created pool's managed-login domain (`<prefix>.auth.<region>.amazoncognito.com`).
   * @default - derived from the site host plus a short hash, e.g. `videos-example-com-sso-1a2b3c4d`
   */
  readonly cognitoDomainPrefix?: string;

  /**
   * Create a managed-login branding style (Cognito's defaults) for the app client; the newer managed login
   * (domain version 2) shows no sign-in page for a client without one.
   * @default - true for the created pool (its domain uses the newer managed login); false for an imported pool
   */
  readonly managedLoginBranding?: boolean;

  /**
   * Admit only members of at least one of these Cognito groups.
   * @default - any signed-in user of the pool
   */
  readonly allowedGroups?: readonly string[];

  /**
   * Admit only people whose verified e-mail is in one of these domains (exact match, case-insensitive).
   * @default - any e-mail domain
   */
  readonly allowedEmailDomains?: readonly string[];

  /**
   * `verified`: pass the e-mail to TwentyThree only when Cognito marks it verified; `never`: never pass it.
   * @default 'verified'
   */
  readonly sendEmail?: 'verified' | 'never';

  /**
   * Federated identity provider of the pool to send people to directly (skips the Cognito chooser). It must exist
   * in the pool before the app client: for the created pool, add it to `userPool` and make `userPoolClient` depend on it.
   * @default - the Cognito chooser
   */
  readonly identityProvider?: string;

  /**
   * Extra hosts (besides the TwentyThree site) that `return_url` may point at.
   * @default - only the TwentyThree site
   */
  readonly returnUrlHosts?: readonly string[];

  /**
   * How long the function waits for TwentyThree's get-token answer (1-8 seconds).
   * @default Duration.seconds(5)
   */
  readonly twentyThreeTimeout?: Duration;

  /**
   * Request limits of the API stage.
   * @default - { rateLimit: 20, burstLimit: 40 }
   */
  readonly throttle?: BridgeThrottleProps;

  /**
   * Retention of the function's logs and the API's access logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the created TwentyThree secret when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * X-Ray active tracing of the function: timings and downstream calls only. Responses are never
   * captured (they carry the one-time TwentyThree token), whatever tracer is added later.
   * @default false
   */
  readonly tracing?: boolean;
}
