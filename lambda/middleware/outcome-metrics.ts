// One CloudWatch metric (EMF through Powertools) per request outcome: sign-ins started and completed,
// and error pages by code — what an operator graphs, and alarms on (any `id_token_invalid` means a
// forged or misrouted token reached the callback).
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BridgeError } from '../errors.js';
import type { HttpResult } from '../http/responses.js';

/** Metric names, shared with the CDK alarms (lib/) so the two cannot drift apart. */
export const METRIC = {
  /** /login sent a browser to the provider. */
  signInStarted: 'SignInStarted',
  /** /callback sent a browser to redeem a TwentyThree session token. */
  signIn: 'SignIn',
  /** Any error page; dimension `code` is the error code shown on it. */
  errorPage: 'ErrorPage',
} as const;

export function outcomeMetrics(metrics: Metrics): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  // Published at once, so a request with nothing to count publishes nothing (no empty-flush warnings);
  // publishing also clears the `code` dimension for the next request.
  const count = (name: string, code?: string) => {
    if (code !== undefined) metrics.addDimension('code', code);
    metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  };
  return {
    after: (request) => {
      if (request.response?.statusCode !== 302) return;
      if (request.event.rawPath === '/login') count(METRIC.signInStarted);
      else if (request.event.rawPath === '/callback') count(METRIC.signIn);
    },
    onError: (request) => {
      count(METRIC.errorPage, request.error instanceof BridgeError ? request.error.code : 'internal_error');
    },
  };
}
