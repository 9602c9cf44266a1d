// The TwentyThree API client: asks get-token for a single-use session token (OAuth 1.0a signed) and builds the
// redeem-token URL the browser is sent to. Success is `status="ok"` with a non-empty token and nothing else,
// because TwentyThree reports errors with HTTP 200.
import { TwentyThreeError, TwentyThreeTimeoutError } from '../errors.js';
import type { TwentyThreeCredentials } from '../secrets/bridge-secrets.js';
import { percentEncode, signRequest } from './oauth1.js';
import { readGetTokenAnswer, type GetTokenAnswer } from './response.js';

export interface SessionTokenRequest {
  /** Where TwentyThree sends the visitor after redeem: a site path or an absolute URL already vetted by the return-URL policy. */
  returnUrl: string;
  /** Sent only when present (and, by the access policy, only when verified). */
  email?: string;
  /** Sent only when present. */
  fullName?: string;
}

export interface TwentyThreeClientOptions {
  /** The site origin, e.g. `https://videos.example.com` (a trailing slash is ignored). */
  siteOrigin: string;
  /** Upper bound in milliseconds for the HTTP part of one getSessionToken call, the retry after `invalid_signature` included. */
  timeoutMs: number;
  /** The OAuth credentials; called with `forceRefresh: true` once when TwentyThree says the signature is invalid. */
  getCredentials: (options?: { forceRefresh?: boolean }) => Promise<TwentyThreeCredentials>;
}

/** An answer larger than this is not a get-token answer (the real one is well under 2 KB). */
const MAX_BODY_BYTES = 256 * 1024;
/** A token longer than this is not a token; sending it on would only produce an opaque redeem failure. */
const MAX_TOKEN_LENGTH = 2048;
/** The code that means "these credentials no longer match": the cached secret may be stale (rotated). */
const STALE_CREDENTIALS_CODE = 'invalid_signature';

/** Builds the get-token query: only present fields, then `format=json&raw` (covered by the signature like all others). */
function getTokenUrl(siteOrigin: string, request: SessionTokenRequest): string {
  const pairs: Array<[string, string]> = [['return_url', request.returnUrl]];
  if (request.email !== undefined && request.email !== '') pairs.push(['email', request.email]);
  if (request.fullName !== undefined && request.fullName !== '') pairs.push(['full_name', request.fullName]);
  pairs.push(['format', 'json']);
  const query = pairs.map(([name, value]) => `${name}=${percentEncode(value)}`).join('&');
  return `${siteOrigin}/api/session/get-token?${query}&raw`;
}

/** Cleans text from TwentyThree for a log line: no control characters, no known secret, bounded length. */
function forLog(text: string, secrets: readonly string[]): string {
  let clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
}

/** Reads the body up to MAX_BODY_BYTES (a runaway answer must not exhaust the function's memory). */
async function readBody(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new TwentyThreeError(undefined, `get-token answered HTTP ${response.status} with more than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface Attempt {
  readonly httpStatus: number;
  readonly answer: GetTokenAnswer | undefined;
  readonly contentType: string;
  readonly bodyBytes: number;
}

export function createTwentyThreeClient(options: TwentyThreeClientOptions) {
  const siteOrigin = options.siteOrigin.replace(/\/+$/, '');

  async function attempt(url: string, credentials: TwentyThreeCredentials, signal: AbortSignal): Promise<Attempt> {
    const { authorization } = signRequest({ method: 'GET', url, credentials });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'GET',
        headers: { authorization, accept: 'application/json, text/xml;q=0.9, */*;q=0.1' },
        // A signed call that gets redirected is misconfiguration (wrong origin or scheme), not something to follow.
        redirect: 'manual',
        cache: 'no-store',
        signal,
      });
    } catch (error) {
      if (isTimeout(error, signal)) throw new TwentyThreeTimeoutError(options.timeoutMs);
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new TwentyThreeError(undefined, `get-token request failed${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    let body: string;
    try {
      body = await readBody(response);
    } catch (error) {
      if (error instanceof TwentyThreeError) throw error;
      if (isTimeout(error, signal)) throw new TwentyThreeTimeoutError(options.timeoutMs);
      throw new TwentyThreeError(undefined, `get-token answer could not be read (HTTP ${response.status})`);
    }
    return {
      httpStatus: response.status,
      answer: readGetTokenAnswer(body),
      contentType: (response.headers.get('content-type') ?? 'no content type').slice(0, 80),
      bodyBytes: Buffer.byteLength(body),
    };
  }

  /** The token, or a TwentyThreeError that says what came back (never the token, the credentials or the signature). */
  function tokenOf(result: Attempt, credentials: TwentyThreeCredentials): string {
    const { answer, httpStatus } = result;
    const secrets = [credentials.consumerKey, credentials.consumerSecret, credentials.accessToken, credentials.accessTokenSecret];
    if (answer === undefined) {
      throw new TwentyThreeError(undefined, `get-token answered HTTP ${httpStatus} with an unrecognised body (${forLog(result.contentType, secrets)}, ${result.bodyBytes} bytes)`);
    }
    const token = answer.accessToken;
    // A 2xx status is required too: a token in an error answer (a proxy's, a v2 error) is not one to hand out.
    const success = httpStatus >= 200 && httpStatus < 300;
    if (answer.status === 'ok' && token !== undefined && token.length <= MAX_TOKEN_LENGTH && success) return token;
    if (token !== undefined) secrets.push(token);
    const why =
      answer.status !== 'ok' ? undefined : token === undefined ? 'but no access_token' : token.length > MAX_TOKEN_LENGTH ? 'but an implausible access_token' : 'but not with a 2xx status';
    const details = [
      `status=${JSON.stringify(forLog(answer.status ?? '(none)', secrets))}`,
      answer.code !== undefined ? `code=${JSON.stringify(forLog(answer.code, secrets))}` : undefined,
      answer.message !== undefined ? `message=${JSON.stringify(forLog(answer.message, secrets))}` : undefined,
      why,
    ].filter((part) => part !== undefined);
    throw new TwentyThreeError(answer.status === 'ok' ? undefined : answer.code, `get-token answered HTTP ${httpStatus} (${answer.envelope}) ${details.join(' ')}`);
  }

  return {
    /**
     * GET <site>/api/session/get-token?return_url&email&full_name&format=json&raw, OAuth in the Authorization header.
     * Reads the XML, JSON (`sessiontoken`), `var visual = …` and v2 (`data`) envelopes; anything but status ok with a
     * non-empty token (and a 2xx status) is a TwentyThreeError; over `timeoutMs` a TwentyThreeTimeoutError; on
     * `invalid_signature` the credentials are re-read with `forceRefresh` and the call is retried exactly once.
     */
    async getSessionToken(request: SessionTokenRequest): Promise<string> {
      const url = getTokenUrl(siteOrigin, request);
      let credentials = await options.getCredentials();
      // The budget starts once the credentials are in hand: a slow secret read is not TwentyThree's delay.
      const signal = AbortSignal.timeout(options.timeoutMs);
      try {
        return tokenOf(await attempt(url, credentials, signal), credentials);
      } catch (error) {
        if (!(error instanceof TwentyThreeError) || error.apiCode !== STALE_CREDENTIALS_CODE) throw error;
      }
      // The secret may have been rotated since it was cached: read it again (once) and sign anew.
      credentials = await options.getCredentials({ forceRefresh: true });
      return tokenOf(await attempt(url, credentials, signal), credentials);
    },

    /** <site>/api/session/redeem-token?session_token=<token>: where the browser goes to have its session signed. */
    redeemUrl(token: string): string {
      return `${siteOrigin}/api/session/redeem-token?session_token=${percentEncode(token)}`;
    },
  };
}
