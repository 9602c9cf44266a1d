// The one place where an error becomes a response: typed errors get their own status and page,
// anything else a generic 500. Logs name the error code and reason, never a stack, token or secret.
import type middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BridgeError } from '../errors.js';
import { page, type HttpResult } from '../http/responses.js';

const cookiesToSet = new WeakMap<object, readonly string[]>();

/** Lets a route clear its state cookie even when it fails (a failed callback must not be retried). */
export function withCookies<E>(error: E, cookies: readonly string[]): E {
  if (typeof error === 'object' && error !== null) cookiesToSet.set(error, cookies);
  return error;
}

export interface ErrorPagesOptions {
  readonly logger: Logger;
  /** The bridge's own /logout path, offered on the 403 page so a person can switch accounts. */
  readonly logoutPath: string;
  /** The configured site: every error page offers a way back (never a URL taken from the request). Unknown when the configuration itself is broken. */
  readonly siteUrl?: string;
}

export function errorPages(options: ErrorPagesOptions): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const backToSite = options.siteUrl === undefined ? [] : [{ href: options.siteUrl, label: 'Back to the video site' }];
  return {
    onError: (request) => {
      const error = request.error;
      const requestId = request.event.requestContext?.requestId;
      const cookies = (error && cookiesToSet.get(error)) ?? [];
      if (error instanceof BridgeError) {
        const log = error.status >= 500 ? options.logger.error : options.logger.warn;
        log.call(options.logger, 'request refused', { error_code: error.code, status: error.status, reason: error.message });
        const links = [
          ...(error.status === 403 ? [{ href: options.logoutPath, label: 'Sign out and use another account' }] : []),
          ...backToSite,
        ];
        request.response = page(error.status, { title: error.title, message: error.publicMessage, code: error.code, requestId, links }, cookies);
        return;
      }
      options.logger.error('unexpected error', {
        error_name: error instanceof Error ? error.name : typeof error,
        reason: error instanceof Error ? error.message.slice(0, 300) : undefined,
      });
      request.response = page(
        500,
        { title: 'Something went wrong', message: 'The sign-in service hit an unexpected problem. Please try again.', code: 'internal_error', requestId, links: backToSite },
        cookies,
      );
    },
  };
}
