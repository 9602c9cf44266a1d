// Headers on every response: no caching (redirects carry one-time codes and tokens), no referrer
// (so the code in /callback and the token in the redeem URL never leak through Referer), and a
// strict CSP that allows only our inline style. Runs on error pages too.
import type middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { STYLE_CSP_SOURCE } from '../http/pages.js';
import type { HttpResult } from '../http/responses.js';

// Middy drops directives whose value is falsy; its option type only admits strings.
const DISABLED_DIRECTIVES = { 'report-to': false, 'upgrade-insecure-requests': false } as unknown as Record<string, string>;

export function responseHeaders(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult>[] {
  const noStore: middy.MiddlewareFn<APIGatewayProxyEventV2, HttpResult> = (request) => {
    if (!request.response) return;
    request.response.headers = { ...request.response.headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  };
  return [
    httpSecurityHeaders({
      contentSecurityPolicy: {
        'default-src': "'none'",
        'style-src': STYLE_CSP_SOURCE,
        'base-uri': "'none'",
        'form-action': "'none'",
        'frame-ancestors': "'none'",
        sandbox: '',
        'require-trusted-types-for': "'script'",
        // Middy's defaults add report-to and upgrade-insecure-requests; neither applies (no report
        // endpoint, and local mode serves plain http on localhost).
        ...DISABLED_DIRECTIVES,
      },
      referrerPolicy: { policy: 'no-referrer' },
      // Cross-origin isolation headers would block nothing we serve and confuse the IdP pages' embedding checks.
      crossOriginEmbedderPolicy: false,
      reportTo: false,
    }) as middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult>,
    { after: noStore, onError: noStore },
  ];
}
