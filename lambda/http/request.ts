// Reads what the routes need from an API Gateway payload 2.0 event, refusing oversized input first.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isStateCookieName } from '../auth/state-cookie.js';
import { assertCookieSize, parseCookies, parseQuery } from './parse.js';

export interface RouteInput {
  readonly query: URLSearchParams;
  readonly cookies: ReadonlyMap<string, string>;
  /** API Gateway's request id: on every log line and error page. */
  readonly requestId: string;
}

export function readRequest(event: APIGatewayProxyEventV2): RouteInput {
  // Size checks come first so a huge header never reaches a parser (InvalidRequestError 400/414). Our own
  // state cookies are left out: they are bounded by /login's pruning and checked one by one when opened,
  // and counting them would let a site that keeps sending a browser to /login lock it out of signing in.
  assertCookieSize(withoutStateCookies(event.cookies), event.headers?.cookie === undefined ? undefined : withoutStateCookies(event.headers.cookie.split(';'))?.join(';'));
  return {
    query: parseQuery(event.rawQueryString),
    cookies: parseCookies(event.cookies, event.headers?.cookie),
    requestId: event.requestContext?.requestId ?? 'unknown',
  };
}

function withoutStateCookies(cookies: readonly string[] | undefined): string[] | undefined {
  return cookies?.filter((cookie) => !isStateCookieName(cookie.trimStart()));
}
