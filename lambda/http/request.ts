// Reads what the routes need from an API Gateway payload 2.0 event, refusing oversized input first.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { assertCookieSize, parseCookies, parseQuery } from './parse.js';

export interface RouteInput {
  readonly query: URLSearchParams;
  readonly cookies: ReadonlyMap<string, string>;
  /** API Gateway's request id: on every log line and error page. */
  readonly requestId: string;
}

export function readRequest(event: APIGatewayProxyEventV2): RouteInput {
  // Size checks come first so a huge header never reaches a parser (InvalidRequestError 400/414).
  assertCookieSize(event.cookies, event.headers?.cookie);
  return {
    query: parseQuery(event.rawQueryString),
    cookies: parseCookies(event.cookies, event.headers?.cookie),
    requestId: event.requestContext?.requestId ?? 'unknown',
  };
}
