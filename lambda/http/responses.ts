// Builders for the API Gateway (payload 2.0) results the routes return.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { renderPage, type PageContent } from './pages.js';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

/** A 302 to `location`; `cookies` become separate Set-Cookie headers at API Gateway. */
export function redirect(location: string, cookies: readonly string[] = []): HttpResult {
  return { statusCode: 302, headers: { Location: location }, cookies: [...cookies], body: '' };
}

/** An HTML page with the given status. */
export function page(statusCode: number, content: PageContent, cookies: readonly string[] = []): HttpResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    cookies: [...cookies],
    body: renderPage(content),
  };
}
