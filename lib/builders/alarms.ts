// Builds the alarms an operator needs to notice a broken sign-in (wire them to SNS or a chat tool as you like).
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { METRIC } from '../../lambda/middleware/outcome-metrics.js';
import { DEFAULTS } from '../defaults.js';

export interface BuiltAlarms {
  /** The function threw (a bug or a crash: typed failures become pages, not errors). */
  readonly functionErrors: Alarm;
  /** The API answered with 5xx (TwentyThree or Cognito failing, or the function crashing). */
  readonly apiServerErrors: Alarm;
  /** Lambda refused to run the function (account concurrency exhausted). */
  readonly functionThrottles: Alarm;
  /** An ID token failed verification at /callback: a forgery attempt, or a misconfigured issuer or client. */
  readonly idTokenRejected: Alarm;
}

export function buildAlarms(scope: Construct, api: HttpApi, handler: IFunction): BuiltAlarms {
  const common = {
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // No traffic is not a failure.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
  const period = DEFAULTS.alarmPeriod;
  return {
    functionErrors: new Alarm(scope, 'FunctionErrorsAlarm', {
      ...common,
      alarmDescription: 'TwentyThree SSO bridge: the function failed with an unhandled error.',
      metric: handler.metricErrors({ period, statistic: Stats.SUM }),
      threshold: 1,
    }),
    apiServerErrors: new Alarm(scope, 'ApiServerErrorsAlarm', {
      ...common,
      alarmDescription: 'TwentyThree SSO bridge: the API answered with 5xx (sign-ins are failing).',
      metric: api.metricServerError({ period, statistic: Stats.SUM }),
      threshold: DEFAULTS.serverErrorThreshold,
    }),
    functionThrottles: new Alarm(scope, 'FunctionThrottlesAlarm', {
      ...common,
      alarmDescription: 'TwentyThree SSO bridge: Lambda throttled the function (sign-ins are refused).',
      metric: handler.metricThrottles({ period, statistic: Stats.SUM }),
      threshold: 1,
    }),
    idTokenRejected: new Alarm(scope, 'IdTokenRejectedAlarm', {
      ...common,
      alarmDescription: 'TwentyThree SSO bridge: an ID token failed verification (a forged token, or a misconfigured issuer or client).',
      // The function publishes this metric itself (Powertools EMF), with the service and the error code as dimensions.
      metric: new Metric({
        namespace: DEFAULTS.metricsNamespace,
        metricName: METRIC.errorPage,
        dimensionsMap: { service: DEFAULTS.serviceName, code: 'id_token_invalid' },
        period,
        statistic: Stats.SUM,
      }),
      threshold: 1,
    }),
  };
}
