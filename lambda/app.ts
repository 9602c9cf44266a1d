// The composition root: Middy around a router of the three routes, with the Powertools logger,
// response headers and the error-page middleware (registered last, so it runs first on errors).
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Config } from './config.js';
import { NotFoundError } from './errors.js';
import { readRequest } from './http/request.js';
import type { HttpResult } from './http/responses.js';
import { errorPages } from './middleware/error-pages.js';
import { responseHeaders } from './middleware/response-headers.js';
import { callback } from './routes/callback.js';
import { login } from './routes/login.js';
import { logout } from './routes/logout.js';
import { createServices, type ServiceDeps } from './services.js';

export type BridgeHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

export interface HandlerDeps {
  readonly logger?: Logger;
  readonly secretsClient?: ServiceDeps['secretsClient'];
  readonly now?: ServiceDeps['now'];
}

export function createHandler(config: Config, deps: HandlerDeps = {}): BridgeHandler {
  // The constructor option would override POWERTOOLS_SERVICE_NAME, so only default to it.
  const logger = deps.logger ?? new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twentythree-sso' });
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

  const handler = middy<APIGatewayProxyEventV2, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        // API Gateway's request id is the one the visitor sees on an error page: put it on every log line.
        logger.appendKeys({ api_request_id: request.event.requestContext?.requestId, route: request.event.rawPath });
      },
    })
    .use(responseHeaders())
    .use(errorPages({ logger, logoutPath: '/logout', siteUrl: `${config.siteOrigin}/` }))
    .handler(router as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>);

  return (event, context) => handler(event, context);
}
