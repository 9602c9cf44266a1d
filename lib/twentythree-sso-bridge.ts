// The L3 construct: everything the TwentyThree SSO bridge needs in one account — HTTP API, function,
// secrets, Cognito (created or imported) with its app client, log groups, alarms and outputs.
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnManagedLoginBranding, IUserPool, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TwentyThreeSsoBridgeProps } from './bridge-props.js';
import { buildAlarms } from './builders/alarms.js';
import { addBridgeRoutes, buildApi } from './builders/api.js';
import { buildAppClient } from './builders/app-client.js';
import { functionEnvironment } from './builders/environment.js';
import { buildFunction } from './builders/function.js';
import { addOutputs } from './builders/outputs.js';
import { alignProviderLogRetention } from './builders/provider-logs.js';
import { buildClientSecretSecret, buildStateKeySecret, buildTwentyThreeSecret, secretIdOf } from './builders/secrets.js';
import { buildUserPool } from './builders/user-pool.js';
import { acknowledgeBridgeFindings } from './nag-suppressions.js';
import { resolveBridgeProps } from './resolve-props.js';

export type { BridgeThrottleProps, TwentyThreeSsoBridgeProps } from './bridge-props.js';

/**
 * Signs people into a TwentyThree video site through Amazon Cognito: enter `loginUrl` and `logoutUrl` in the
 * site's single sign-on settings and fill `twentyThreeSecret` with the site's OAuth credentials.
 *
 * The outputs use fixed names (LoginUrl, LogoutUrl, …) that the README refers to: one bridge per stack.
 */
export class TwentyThreeSsoBridge extends Construct {
  /** The HTTP API (payload 2.0) serving GET /login, /callback and /logout. */
  public readonly api: HttpApi;
  /** The throttled, access-logged `$default` stage. */
  public readonly stage: HttpStage;
  /** Access log of the stage (no query strings). */
  public readonly accessLogGroup: LogGroup;
  /** The bridge function. */
  public readonly handler: NodejsFunction;
  /** The function's role: its own log group and its own secrets, nothing else. */
  public readonly functionRole: Role;
  /** The function's log group. */
  public readonly functionLogGroup: LogGroup;
  /** The user pool people sign in with (created or imported). */
  public readonly userPool: IUserPool;
  /** The managed-login domain, when the construct created the pool. */
  public readonly userPoolDomain: UserPoolDomain | undefined;
  /** Base URL of the pool's domain, e.g. `https://x.auth.eu-west-1.amazoncognito.com`. */
  public readonly cognitoDomainUrl: string;
  /** The confidential app client (authorization-code grant only). */
  public readonly userPoolClient: UserPoolClient;
  /** The managed-login branding style of the app client, when created. */
  public readonly managedLoginBranding: CfnManagedLoginBranding | undefined;
  /** TwentyThree OAuth credentials (created with empty values, or imported). */
  public readonly twentyThreeSecret: ISecret;
  /** The app client's secret, copied from Cognito at deploy time. */
  public readonly clientSecret: Secret;
  /** Key material of the sign-in state cookie. */
  public readonly stateKeySecret: Secret;
  /** The function threw (≥ 1 error in 5 minutes). */
  public readonly functionErrorsAlarm: Alarm;
  /** The API answered 5xx (≥ 5 in 5 minutes). */
  public readonly apiServerErrorsAlarm: Alarm;
  /** Lambda throttled the function (≥ 1 in 5 minutes). */
  public readonly functionThrottlesAlarm: Alarm;
  /** Fires when an ID token fails verification at /callback (forgery attempt or misconfiguration). */
  public readonly idTokenRejectedAlarm: Alarm;
  /** The URL to enter in TwentyThree as the remote log-in page. */
  public readonly loginUrl: string;
  /** The URL to enter in TwentyThree as the log-out link. */
  public readonly logoutUrl: string;
  /** The exact redirect_uri registered with the app client. */
  public readonly callbackUrl: string;

  constructor(scope: Construct, id: string, props: TwentyThreeSsoBridgeProps) {
    super(scope, id);
    // Validate everything before creating anything, so a bad prop leaves no half-built tree.
    const resolved = resolveBridgeProps(props, this.node.path);

    const { api, stage, accessLogGroup } = buildApi(this, resolved);
    this.api = api;
    this.stage = stage;
    this.accessLogGroup = accessLogGroup;
    this.callbackUrl = `${api.apiEndpoint}/callback`;
    this.loginUrl = `${api.apiEndpoint}/login`;
    this.logoutUrl = `${api.apiEndpoint}/logout`;

    const pool = buildUserPool(this, resolved.pool);
    this.userPool = pool.userPool;
    this.userPoolDomain = pool.domain;
    this.cognitoDomainUrl = pool.domainUrl;

    const { client, branding } = buildAppClient(this, {
      userPool: pool.userPool,
      callbackUrl: this.callbackUrl,
      logoutUrl: `${resolved.siteOrigin}/`,
      identityProvider: resolved.identityProvider,
      managedLoginBranding: resolved.managedLoginBranding,
    });
    this.userPoolClient = client;
    this.managedLoginBranding = branding;

    this.twentyThreeSecret = resolved.twentyThreeSecret ?? buildTwentyThreeSecret(this, resolved.removalPolicy);
    this.clientSecret = buildClientSecretSecret(this, client.userPoolClientSecret);
    this.stateKeySecret = buildStateKeySecret(this);
    alignProviderLogRetention(this, resolved.logRetention);
    const twentyThreeSecretId = secretIdOf(this.twentyThreeSecret);

    const fn = buildFunction(this, {
      environment: functionEnvironment({
        props: resolved,
        twentyThreeSecretId,
        issuer: pool.issuer,
        clientId: client.userPoolClientId,
        clientSecretId: this.clientSecret.secretArn,
        cognitoDomainUrl: pool.domainUrl,
        callbackUrl: this.callbackUrl,
        stateKeySecretId: this.stateKeySecret.secretArn,
      }),
      secrets: [this.twentyThreeSecret, this.clientSecret, this.stateKeySecret],
      logRetention: resolved.logRetention,
      tracing: resolved.tracing,
    });
    this.handler = fn.handler;
    this.functionRole = fn.role;
    this.functionLogGroup = fn.logGroup;
    addBridgeRoutes(api, fn.handler);

    const alarms = buildAlarms(this, api, fn.handler);
    this.functionErrorsAlarm = alarms.functionErrors;
    this.apiServerErrorsAlarm = alarms.apiServerErrors;
    this.functionThrottlesAlarm = alarms.functionThrottles;
    this.idTokenRejectedAlarm = alarms.idTokenRejected;

    addOutputs(this, {
      loginUrl: this.loginUrl,
      logoutUrl: this.logoutUrl,
      twentyThreeSecretName: this.twentyThreeSecret.secretName,
      twentyThreeSecretId,
      cognitoDomainUrl: pool.domainUrl,
      userPoolId: pool.userPool.userPoolId,
    });

    acknowledgeBridgeFindings(this, {
      api,
      createdUserPool: resolved.pool.kind === 'create' ? pool.userPool : undefined,
      createdTwentyThreeSecret: resolved.twentyThreeSecret === undefined ? this.twentyThreeSecret : undefined,
      clientSecret: this.clientSecret,
      stateKeySecret: this.stateKeySecret,
      tracedFunctionRole: resolved.tracing ? this.functionRole : undefined,
    });
  }
}
