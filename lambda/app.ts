// The composition root: Middy around a router of the three routes, with the Powertools logger,
// response headers and the error-page middleware (registered last, so it runs first on errors).
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadConfig, type Config } from './config.js';
import { ConfigError, NotFoundError, RequestTimeoutError } from './errors.js';
import { readRequest } from './http/request.js';
import type { HttpResult } from './http/responses.js';
import { errorPages } from './middleware/error-pages.js';
import { outcomeMetrics } from './middleware/outcome-metrics.js';
import { responseHeaders } from './middleware/response-headers.js';
import { callback } from './routes/callback.js';
import { login } from './routes/login.js';
import { logout } from './routes/logout.js';
import { createServices, type ServiceDeps } from './services.js';

export type BridgeHandler = ((event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>) & {
  /** Fetches secrets and provider metadata now, within `budgetMs`; failures are left for a request to report. */
  warmUp(budgetMs: number): Promise<void>;
};
type RouterHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

export interface HandlerDeps {
  readonly logger?: Logger;
  /** Where outcomes are counted; by default Powertools Metrics in Lambda, none elsewhere (nothing reads EMF there). */
  readonly metrics?: Metrics;
  readonly secretsClient?: ServiceDeps['secretsClient'];
  readonly now?: ServiceDeps['now'];
}

/** Time kept back from Lambda's timeout to answer with a 504 page instead of being cut off. */
const EARLY_TIMEOUT_MS = 500;

export function createHandler(config: Config, deps: HandlerDeps = {}): BridgeHandler {
  const logger = deps.logger ?? defaultLogger();
  const services = createServices(config, { logger, secretsClient: deps.secretsClient, now: deps.now });

  const router = httpRouterHandler<APIGatewayProxyEventV2, HttpResult>({
    routes: [
      { method: 'GET', path: '/login', handler: async (event: APIGatewayProxyEventV2) => login(readRequest(event), services) },
      { method: 'GET', path: '/callback', handler: async (event: APIGatewayProxyEventV2) => callback(readRequest(event), services) },
      { method: 'GET', path: '/logout', handler: async () => logout(services) },
    ],
    notFoundResponse: () => {
      throw new NotFoundError();
    },
  });
  return compose(router as unknown as RouterHandler, { logger, metrics: deps.metrics ?? defaultMetrics(), siteUrl: `${config.siteOrigin}/` }, services.warmUp);
}

/**
 * The Lambda's way in. A configuration error does not crash the container at init (which shows visitors
 * API Gateway's bare 500 and logs a stack): it is logged once, naming the variable, and every request
 * gets the "not configured" page.
 */
export function createHandlerFromEnv(env: Record<string, string | undefined>, deps: HandlerDeps = {}): BridgeHandler {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const logger = deps.logger ?? defaultLogger();
    logger.error('configuration invalid', { error_code: error.code, reason: error.message });
    return compose(async () => Promise.reject(error), { logger, metrics: deps.metrics ?? defaultMetrics(), siteUrl: undefined }, async () => undefined);
  }
  return createHandler(config, deps);
}

interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics | undefined;
  readonly siteUrl: string | undefined;
}

function compose(handler: RouterHandler, { logger, metrics, siteUrl }: Observability, warmUp: () => Promise<void>): BridgeHandler {
  const middyfied = middy<APIGatewayProxyEventV2, HttpResult>({
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      throw new RequestTimeoutError();
    },
  })
    // logEvent false whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event holds the code and the state cookie.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use({
      before: (request) => {
        // API Gateway's request id is the one the visitor sees on an error page: put it on every log line.
        logger.appendKeys({ api_request_id: request.event.requestContext?.requestId, route: request.event.rawPath });
      },
    })
    .use(metrics ? [outcomeMetrics(metrics)] : [])
    .use(responseHeaders())
    .use(errorPages({ logger, logoutPath: '/logout', siteUrl }))
    .handler(handler);
  const bridge = (event: APIGatewayProxyEventV2, context: Context) => middyfied(event, context);
  return Object.assign(bridge, {
    async warmUp(budgetMs: number) {
      // Bounded: a slow dependency must not hold the container's init; the first request joins what is still in flight.
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, budgetMs);
      });
      await Promise.race([warmUp(), budget]);
      clearTimeout(timer);
    },
  });
}

function defaultMetrics(): Metrics | undefined {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return undefined;
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'TwentyThreeSso',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twentythree-sso',
  });
}

function defaultLogger(): Logger {
  // The constructor option would override POWERTOOLS_SERVICE_NAME, so only default to it.
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twentythree-sso' });
}
