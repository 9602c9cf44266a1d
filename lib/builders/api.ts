// Builds the HTTP API (payload 2.0) in front of the function: three GET routes, one throttled,
// access-logged `$default` stage. The access log never records query strings: /callback carries the code.
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

/** The routes the function serves; everything else gets API Gateway's own 404. */
export const BRIDGE_ROUTES = ['/login', '/callback', '/logout'] as const;

/**
 * One JSON line per request. Only `$context` fields that cannot carry the query string, a cookie or a header
 * value: `path` is the path alone, `routeKey` the matched route.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

export interface ApiOptions {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: RetentionDays;
}

export interface BuiltApi {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
}

export function buildApi(scope: Construct, options: ApiOptions): BuiltApi {
  const api = new HttpApi(scope, 'Api', {
    description: 'TwentyThree SSO bridge: /login, /callback, /logout',
    // The stage below is explicit, so it can carry throttling and access logging.
    createDefaultStage: false,
  });
  const accessLogGroup = new LogGroup(scope, 'AccessLogs', {
    retention: options.logRetention,
    removalPolicy: DEFAULTS.logRemovalPolicy,
  });
  const stage = new HttpStage(scope, 'Stage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: options.rateLimit, burstLimit: options.burstLimit },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogGroup),
      format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  return { api, stage, accessLogGroup };
}

/** Sends GET /login, /callback and /logout to the one function (payload format 2.0). */
export function addBridgeRoutes(api: HttpApi, handler: IFunction): void {
  const integration = new HttpLambdaIntegration('BridgeIntegration', handler, {
    payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
  });
  for (const path of BRIDGE_ROUTES) {
    api.addRoutes({ path, methods: [HttpMethod.GET], integration });
  }
}
