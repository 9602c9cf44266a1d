// A TwentyThree stand-in on loopback for local mode and tests: get-token with real OAuth 1.0a verification
// (done with the `oauth-1.0a` package, independently of the bridge's own signer), single-use 15-minute tokens,
// redeem-token that signs a session, and protected pages that send visitors without a session to the bridge.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth from 'oauth-1.0a';
import type { TwentyThreeCredentials } from '../lambda/secrets/bridge-secrets.js';

export interface SandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind and the host name in `url` (default `127.0.0.1`). */
  host?: string;
  /** The only credentials get-token accepts (until rotateCredentials). */
  credentials: TwentyThreeCredentials;
  /** The bridge's base URL: visitors without a session go to `<bridgeUrl>/login`, Sign out to `<bridgeUrl>/logout`. */
  bridgeUrl?: string;
  /** Clock in milliseconds (default `Date.now`): token and session expiry, OAuth timestamp checks. */
  now?: () => number;
  /**
   * How get-token answers: `requested` (the default) follows the request like TwentyThree (XML; `format=json` →
   * `var visual = …`; `format=json&raw` → bare JSON); the others force one envelope, `v2` being the v2 API's
   * `{status, data}` (as `/api/2/session/get-token` always answers).
   */
  envelope?: SandboxEnvelope;
}

export type SandboxEnvelope = 'requested' | 'xml' | 'visual' | 'json' | 'v2';

/** What the next get-token call does instead of its normal answer. */
export type SandboxFailure =
  /** An error answered the TwentyThree way: HTTP 200 (unless `httpStatus` says otherwise) with status="error". */
  | { code: string; message?: string; httpStatus?: number }
  /** Never answer (until close()). */
  | 'hang'
  /** Answer HTTP 200 with a truncated body in the requested format. */
  | 'malformed';

export interface GetTokenSeen {
  /** The request's non-OAuth query parameters, decoded (last value wins). */
  params: Record<string, string>;
  /** Where the OAuth parameters came from. */
  oauthIn: 'header' | 'query' | 'none';
  /** How the call was answered: `ok`, an error code, `hang` or `malformed`. */
  outcome: string;
}

export interface TwentyThreeSandbox {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** How many get-token requests arrived (answered or not). */
  readonly getTokenCalls: number;
  /** The last get-token request. */
  readonly lastGetToken: GetTokenSeen | undefined;
  setBridgeUrl(url: string): void;
  /** Queues a failure for the next get-token call (several calls queue several failures). */
  failNext(mode: SandboxFailure): void;
  /** From now on only these credentials verify; the old ones get `invalid_signature`. */
  rotateCredentials(credentials: TwentyThreeCredentials): void;
  /** See SandboxOptions.envelope. */
  setEnvelope(envelope: SandboxEnvelope): void;
  /** Stops listening and drops every connection, hanging ones included. Calling it again is harmless. */
  close(): Promise<void>;
}

/** Cookie name: distinctive, since every local server shares the `localhost` cookie jar whatever its port. */
export const SANDBOX_SESSION_COOKIE = 't23_sandbox_session';
const TOKEN_TTL_MS = 15 * 60 * 1000;
const SESSION_IDLE_MS = 30 * 60 * 1000;
/** How far an oauth_timestamp may be from the sandbox's clock; also how long nonces are remembered. */
const TIMESTAMP_WINDOW_S = 5 * 60;
const OAUTH_REQUIRED = ['oauth_consumer_key', 'oauth_token', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce', 'oauth_signature'];

type Format = 'xml' | 'visual' | 'json' | 'v2';

interface IssuedToken {
  readonly returnUrl: string;
  readonly email: string | undefined;
  readonly fullName: string | undefined;
  readonly expiresAt: number;
}

interface Session {
  readonly email: string | undefined;
  readonly fullName: string | undefined;
  lastSeen: number;
}

interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `OAuth realm="…", oauth_x="…"` → decoded oauth_* fields; undefined when the header is not an OAuth one. */
function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined || !/^OAuth\s/i.test(header)) return undefined;
  const fields = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"/g)) {
    const name = safeDecode(match[1] ?? '');
    if (name.startsWith('oauth_')) fields.set(name, safeDecode(match[2] ?? ''));
  }
  return fields;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameBytes(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function page(res: ServerResponse, status: number, title: string, bodyHtml: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${bodyHtml}</body></html>`);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

export async function startTwentyThreeSandbox(options: SandboxOptions): Promise<TwentyThreeSandbox> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  let credentials = { ...options.credentials };
  let bridgeUrl = options.bridgeUrl?.replace(/\/+$/, '');
  let envelope: SandboxEnvelope = options.envelope ?? 'requested';
  let getTokenCalls = 0;
  let lastGetToken: GetTokenSeen | undefined;
  const failures: SandboxFailure[] = [];
  const tokens = new Map<string, IssuedToken>();
  const sessions = new Map<string, Session>();
  const nonces = new Map<string, number>();
  let origin = '';

  // ----- get-token -------------------------------------------------------------------------------------------

  /** Checks the OAuth 1.0a signature with the oauth-1.0a package; an ApiError when it does not verify. */
  function verifyOAuth(req: IncomingMessage, path: string, query: URLSearchParams): { error?: ApiError; oauthIn: GetTokenSeen['oauthIn'] } {
    const fromHeader = parseOAuthHeader(req.headers.authorization);
    const fromQuery = new Map([...query].filter(([name]) => name.startsWith('oauth_')));
    if (fromHeader !== undefined && fromHeader.size > 0 && fromQuery.size > 0) {
      return { oauthIn: 'header', error: { code: 'invalid_signature', message: 'OAuth parameters must be sent in one place only.' } };
    }
    const oauthIn = fromHeader !== undefined && fromHeader.size > 0 ? 'header' : fromQuery.size > 0 ? 'query' : 'none';
    const oauth = oauthIn === 'header' ? (fromHeader as Map<string, string>) : fromQuery;
    if (oauthIn === 'none') {
      return { oauthIn, error: { code: 'permission_denied', message: "This method requires a higher permission level (required level: 'super')" } };
    }
    const missing = OAUTH_REQUIRED.filter((name) => !oauth.get(name));
    if (missing.length > 0) return { oauthIn, error: { code: 'invalid_signature', message: `Missing OAuth parameters: ${missing.join(', ')}.` } };
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') {
      return { oauthIn, error: { code: 'invalid_signature', message: 'Only HMAC-SHA1 signatures are supported.' } };
    }
    const version = oauth.get('oauth_version');
    if (version !== undefined && version !== '1.0') return { oauthIn, error: { code: 'invalid_signature', message: 'oauth_version must be 1.0.' } };
    if (oauth.get('oauth_consumer_key') !== credentials.consumerKey || oauth.get('oauth_token') !== credentials.accessToken) {
      return { oauthIn, error: { code: 'invalid_signature', message: 'The API signature is invalid.' } };
    }
    const timestamp = Number(oauth.get('oauth_timestamp'));
    if (!/^\d{1,12}$/.test(oauth.get('oauth_timestamp') ?? '') || Math.abs(timestamp - now() / 1000) > TIMESTAMP_WINDOW_S) {
      return { oauthIn, error: { code: 'invalid_signature', message: 'The OAuth timestamp is too far from the server time.' } };
    }

    const verifier = new OAuth({
      consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
    });
    // The package merges `data` (the request parameters) with the oauth_* fields, encodes, sorts and signs.
    const data: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of query) {
      if (name.startsWith('oauth_')) continue;
      const seen = data[name];
      data[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    const oauthData: Record<string, string> = Object.create(null);
    for (const [name, value] of oauth) if (name !== 'oauth_signature') oauthData[name] = value;
    const baseUrl = `http://${(req.headers.host ?? new URL(origin).host).toLowerCase()}${path}`;
    const expected = verifier.getSignature({ url: baseUrl, method: req.method ?? 'GET', data }, credentials.accessTokenSecret, oauthData as unknown as OAuth.Data);
    if (!sameBytes(expected, oauth.get('oauth_signature') ?? '')) {
      return { oauthIn, error: { code: 'invalid_signature', message: 'The API signature is invalid.' } };
    }

    const nonceKey = `${credentials.consumerKey}\n${timestamp}\n${oauth.get('oauth_nonce')}`;
    for (const [key, expiresAt] of nonces) if (expiresAt < now()) nonces.delete(key);
    if (nonces.has(nonceKey)) return { oauthIn, error: { code: 'invalid_signature', message: 'The OAuth nonce has already been used.' } };
    nonces.set(nonceKey, now() + 2 * TIMESTAMP_WINDOW_S * 1000);
    return { oauthIn };
  }

  /** The return_url as a path on this site, or undefined when it points elsewhere. */
  function sitePath(raw: string | null, req: IncomingMessage): string | undefined {
    if (raw === null || raw === '') return '/';
    if (raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/\\')) return raw;
    try {
      const url = new URL(raw);
      const ownHosts = [new URL(origin).host, req.headers.host?.toLowerCase()];
      if ((url.protocol === 'http:' || url.protocol === 'https:') && ownHosts.includes(url.host)) return `${url.pathname}${url.search}${url.hash}`;
    } catch {
      // not a URL: refused below
    }
    return undefined;
  }

  function formatOf(path: string, query: URLSearchParams): Format {
    if (path.startsWith('/api/2/')) return 'v2';
    if (envelope !== 'requested') return envelope;
    if (query.get('format') !== 'json') return 'xml';
    return query.has('raw') ? 'json' : 'visual';
  }

  function sendApi(res: ServerResponse, format: Format, result: { error: ApiError } | { token: string; issued: IssuedToken }, req: IncomingMessage): void {
    let body: string;
    let contentType: string;
    if (format === 'xml') {
      contentType = 'text/xml; charset=utf-8';
      body =
        'error' in result
          ? `<?xml version="1.0" encoding="UTF-8"?>\n<response status="error" code="${escapeXml(result.error.code)}" message="${escapeXml(result.error.message)}"/>\n`
          : `<?xml version="1.0" encoding="UTF-8"?>\n<response status="ok" permission_level="super" message="The session access token is ready to use" cached="0">\n` +
            `  <access_token>${escapeXml(result.token)}</access_token>\n  <return_url>${escapeXml(result.issued.returnUrl)}</return_url>\n</response>\n`;
    } else {
      let json: unknown;
      if ('error' in result) json = { status: 'error', code: result.error.code, message: result.error.message };
      else if (format === 'v2') {
        json = {
          status: 'ok',
          data: { access_token: result.token, return_url: result.issued.returnUrl, email: result.issued.email ?? null, full_name: result.issued.fullName ?? null },
        };
      } else {
        json = {
          status: 'ok',
          message: 'The session access token is ready to use',
          permission_level: 'super',
          cached: '0',
          sessiontoken: { access_token: result.token, return_url: result.issued.returnUrl },
          p: '1',
          size: '1',
          site: { site_name: 'TwentyThree sandbox', domain: req.headers.host ?? new URL(origin).host },
          endpoint: '/api/session/get-token',
        };
      }
      contentType = format === 'visual' ? 'text/javascript; charset=utf-8' : 'application/json; charset=utf-8';
      body = format === 'visual' ? `var visual = ${JSON.stringify(json)};` : JSON.stringify(json);
    }
    const status = 'error' in result ? (result.error.httpStatus ?? 200) : 200;
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  }

  function getToken(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    getTokenCalls += 1;
    const params: Record<string, string> = {};
    for (const [name, value] of query) if (!name.startsWith('oauth_')) params[name] = value;
    const seen: GetTokenSeen = { params, oauthIn: 'none', outcome: 'pending' };
    lastGetToken = seen;
    const format = formatOf(path, query);

    const failure = failures.shift();
    if (failure === 'hang') {
      seen.outcome = 'hang';
      return; // the socket stays open until the client gives up or close() drops it
    }
    if (failure === 'malformed') {
      seen.outcome = 'malformed';
      res.writeHead(200, { 'content-type': format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8' });
      res.end(format === 'xml' ? '<response status="ok" permission_level="super"><access_tok' : format === 'visual' ? 'var visual = {"status":"ok","sessiontoken":{"access_' : '{"status":"ok","sessiontoken":{"access_');
      return;
    }
    if (failure !== undefined) {
      seen.outcome = failure.code;
      sendApi(res, format, { error: { code: failure.code, message: failure.message ?? `Simulated ${failure.code}.`, httpStatus: failure.httpStatus } }, req);
      return;
    }

    const verified = verifyOAuth(req, path, query);
    seen.oauthIn = verified.oauthIn;
    let error = verified.error;
    const returnUrl = sitePath(query.get('return_url'), req);
    const email = query.get('email') || undefined;
    const fullName = query.get('full_name') || undefined;
    if (error === undefined && returnUrl === undefined) error = { code: 'invalid_input', message: 'return_url must be a path or a URL on this site.' };
    if (error === undefined && email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) error = { code: 'invalid_input', message: 'email is not a valid e-mail address.' };
    if (error !== undefined || returnUrl === undefined) {
      seen.outcome = error?.code ?? 'invalid_input';
      sendApi(res, format, { error: error ?? { code: 'invalid_input', message: 'Invalid input.' } }, req);
      return;
    }
    for (const [token, issued] of tokens) if (issued.expiresAt <= now()) tokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    const issued: IssuedToken = { returnUrl, email, fullName, expiresAt: now() + TOKEN_TTL_MS };
    tokens.set(token, issued);
    seen.outcome = 'ok';
    sendApi(res, format, { token, issued }, req);
  }

  // ----- redeem-token, protected pages, logout ----------------------------------------------------------------

  function redeem(res: ServerResponse, query: URLSearchParams): void {
    const token = query.get('session_token');
    if (!token) {
      page(res, 400, 'Missing token', '<p>session_token is required.</p>');
      return;
    }
    const issued = tokens.get(token);
    tokens.delete(token); // single use, whatever happens next
    if (issued === undefined || issued.expiresAt <= now()) {
      page(res, 403, 'Invalid token', '<p>This session token is invalid, has already been used, or has expired.</p>');
      return;
    }
    const sessionId = randomBytes(24).toString('base64url');
    sessions.set(sessionId, { email: issued.email, fullName: issued.fullName, lastSeen: now() });
    redirect(res, issued.returnUrl, { 'set-cookie': `${SANDBOX_SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax` });
  }

  /** The visitor's live session (touching it), or undefined; a session unused for 30 minutes is gone. */
  function sessionOf(req: IncomingMessage): Session | undefined {
    const id = cookieValue(req.headers.cookie, SANDBOX_SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = sessions.get(id);
    if (session === undefined) return undefined;
    if (now() - session.lastSeen >= SESSION_IDLE_MS) {
      sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now();
    return session;
  }

  function protectedPage(req: IncomingMessage, res: ServerResponse, pathWithQuery: string): void {
    const session = sessionOf(req);
    if (session === undefined) {
      if (bridgeUrl === undefined) {
        page(res, 503, 'Not signed in', '<p>You are not signed in, and no sign-in bridge is configured for this sandbox.</p>');
        return;
      }
      // As TwentyThree does with SSO enabled: off to the remote log-in page with the page that was asked for.
      redirect(res, `${bridgeUrl}/login?return_url=${encodeURIComponent(pathWithQuery)}`);
      return;
    }
    const who = `${session.fullName ?? 'an unnamed visitor'} (${session.email ?? 'no e-mail'})`;
    page(
      res,
      200,
      'TwentyThree sandbox',
      `<h1>TwentyThree sandbox</h1><p id="signed-in">Signed in as ${escapeHtml(who)}</p>` +
        `<p>You are on <code>${escapeHtml(pathWithQuery)}</code>.</p><p><a id="sign-out" href="/logout">Sign out</a></p>`,
    );
  }

  function logout(req: IncomingMessage, res: ServerResponse): void {
    const id = cookieValue(req.headers.cookie, SANDBOX_SESSION_COOKIE);
    if (id !== undefined) sessions.delete(id);
    // TwentyThree ends its own session first, then sends the visitor to the configured log-out link.
    redirect(res, bridgeUrl === undefined ? '/' : `${bridgeUrl}/logout`, {
      'set-cookie': `${SANDBOX_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
    });
  }

  const server = createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed.\n');
      return;
    }
    if (path === '/api/session/get-token' || path === '/api/2/session/get-token') getToken(req, res, path, query);
    else if (path === '/api/session/redeem-token') redeem(res, query);
    else if (path === '/logout') logout(req, res);
    else if (path === '/' || /^\/v\/./.test(path)) protectedPage(req, res, rawUrl);
    else page(res, 404, 'Not found', '<p>Not found.</p>');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: origin,
    get getTokenCalls() {
      return getTokenCalls;
    },
    get lastGetToken() {
      return lastGetToken;
    },
    setBridgeUrl(url: string) {
      bridgeUrl = url.replace(/\/+$/, '');
    },
    failNext(mode: SandboxFailure) {
      failures.push(mode);
    },
    rotateCredentials(next: TwentyThreeCredentials) {
      credentials = { ...next };
    },
    setEnvelope(next: SandboxEnvelope) {
      envelope = next;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
