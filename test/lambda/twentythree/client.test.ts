// The TwentyThree client over real loopback HTTP: against the sandbox (which verifies OAuth on its own) for every
// envelope, errors as HTTP 200, rotated credentials and hangs; against a tiny raw server for odd answers.
import { jest } from '@jest/globals';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { BridgeError, TwentyThreeError, TwentyThreeTimeoutError } from '../../../lambda/errors.js';
import type { TwentyThreeCredentials } from '../../../lambda/secrets/bridge-secrets.js';
import { createTwentyThreeClient, type SessionTokenRequest } from '../../../lambda/twentythree/client.js';
import { startTwentyThreeSandbox, type SandboxEnvelope, type TwentyThreeSandbox } from '../../../local/twentythree-sandbox.js';

const CREDENTIALS: TwentyThreeCredentials = { consumerKey: 'ck-Zoë+1', consumerSecret: 'cs secret/&=', accessToken: 'at-123', accessTokenSecret: 'ats~!*()' };
const ROTATED: TwentyThreeCredentials = { ...CREDENTIALS, consumerSecret: 'rotated consumer secret', accessTokenSecret: 'rotated token secret' };
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,}$/;

let sandbox: TwentyThreeSandbox;

beforeEach(async () => {
  sandbox = await startTwentyThreeSandbox({ credentials: CREDENTIALS, bridgeUrl: 'http://localhost:3999' });
});

afterEach(async () => {
  await sandbox.close();
});

function credentialsSpy(fresh: TwentyThreeCredentials = CREDENTIALS, cached: TwentyThreeCredentials = CREDENTIALS) {
  return jest.fn(async (options?: { forceRefresh?: boolean }) => (options?.forceRefresh ? fresh : cached));
}

function clientFor(siteOrigin: string, getCredentials = credentialsSpy(), timeoutMs = 2000) {
  return createTwentyThreeClient({ siteOrigin, timeoutMs, getCredentials });
}

/** Redeems a token at the sandbox: proves it is a real, unused token and returns where it leads. */
async function redeem(token: string): Promise<string | null> {
  const response = await fetch(createTwentyThreeClient({ siteOrigin: sandbox.url, timeoutMs: 1, getCredentials: credentialsSpy() }).redeemUrl(token), {
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return response.headers.get('location');
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

/** Nothing secret in what is logged about an error. */
function expectNothingSecret(error: Error, extra: readonly string[] = []): void {
  const logged = `${error.message} ${JSON.stringify(error)} ${String((error as { publicMessage?: string }).publicMessage)}`;
  for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.accessTokenSecret, ROTATED.consumerSecret, ROTATED.accessTokenSecret, ...extra]) {
    expect(logged).not.toContain(secret);
  }
}

interface OddServer {
  readonly url: string;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A bare HTTP server on loopback for answers the sandbox would never give. */
async function oddServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<OddServer> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Function: createTwentyThreeClient', () => {
  describe('Method: getSessionToken', () => {
    it('returns a real token from the bare JSON answer, sending return_url, email, full_name, format=json and raw', async () => {
      const client = clientFor(sandbox.url);
      const token = await client.getSessionToken({ returnUrl: '/v/1', email: 'ada@example.com', fullName: 'Ada Lovelace' });
      expect(token).toMatch(TOKEN_SHAPE);
      expect(sandbox.lastGetToken).toEqual({
        params: { return_url: '/v/1', email: 'ada@example.com', full_name: 'Ada Lovelace', format: 'json', raw: '' },
        oauthIn: 'header',
        outcome: 'ok',
      });
      expect(await redeem(token)).toBe('/v/1');
    });

    it('sends only the fields it has: no email and no full_name when absent or empty', async () => {
      const client = clientFor(sandbox.url);
      await client.getSessionToken({ returnUrl: '/' });
      expect(sandbox.lastGetToken?.params).toEqual({ return_url: '/', format: 'json', raw: '' });
      await client.getSessionToken({ returnUrl: '/', email: '', fullName: '' });
      expect(sandbox.lastGetToken?.params).toEqual({ return_url: '/', format: 'json', raw: '' });
    });

    it.each<SandboxEnvelope>(['xml', 'visual', 'json', 'v2'])('reads the token from the %s envelope', async (envelope) => {
      sandbox.setEnvelope(envelope);
      const token = await clientFor(sandbox.url).getSessionToken({ returnUrl: '/v/2' });
      expect(token).toMatch(TOKEN_SHAPE);
      expect(await redeem(token)).toBe('/v/2');
    });

    it("delivers names and e-mails with spaces, +, ', (, ), !, *, ~ and non-ASCII intact, and the signature verifies", async () => {
      const client = clientFor(sandbox.url);
      const request = { returnUrl: '/v/3?list=a b&x=(1)', email: 'a+b@example.com', fullName: "Zoë O'Brien (QA) *!~ 山田" };
      await client.getSessionToken(request);
      expect(sandbox.lastGetToken).toMatchObject({
        outcome: 'ok',
        params: { return_url: request.returnUrl, email: request.email, full_name: request.fullName },
      });
    });

    it('delivers arbitrary names and e-mails intact, and the signature verifies', async () => {
      const client = clientFor(sandbox.url);
      const local = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '+', '.', "'", '!', '*', '~', '%', '&', '=', 'ë', '(', ')'), minLength: 1, maxLength: 12 });
      await fc.assert(
        fc.asyncProperty(local, fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }), async (user, fullName, path) => {
          const request: SessionTokenRequest = { returnUrl: `/v/${path}`, email: `${user}@example.com`, fullName };
          await client.getSessionToken(request);
          expect(sandbox.lastGetToken).toMatchObject({
            outcome: 'ok',
            params: { return_url: request.returnUrl, email: request.email, full_name: fullName },
          });
        }),
        { numRuns: 25 },
      );
    });

    it('throws TwentyThreeError with the code when TwentyThree answers an error as HTTP 200, without re-reading credentials', async () => {
      const getCredentials = credentialsSpy();
      sandbox.failNext({ code: 'permission_denied', message: "Insufficient permission (required level: 'super')" });
      const error = await failure(clientFor(sandbox.url, getCredentials).getSessionToken({ returnUrl: '/' }));
      expect(error).toBeInstanceOf(TwentyThreeError);
      expect(error).toMatchObject({ apiCode: 'permission_denied', code: 'twentythree_permission_denied', status: 502 });
      expect(error.message).toMatch(/HTTP 200/);
      expect(error.message).toMatch(/required level: 'super'/);
      expect(getCredentials.mock.calls).toEqual([[]]);
      expect(sandbox.getTokenCalls).toBe(1);
      expectNothingSecret(error);
    });

    it.each<SandboxEnvelope>(['xml', 'visual', 'json', 'v2'])('reads the error code from the %s envelope', async (envelope) => {
      sandbox.setEnvelope(envelope);
      sandbox.failNext({ code: 'invalid_input', message: 'Bad e-mail' });
      const error = await failure(clientFor(sandbox.url).getSessionToken({ returnUrl: '/' }));
      expect(error).toMatchObject({ apiCode: 'invalid_input', code: 'twentythree_invalid_input' });
    });

    it('throws TwentyThreeError for a v2-style error with a real 4xx status', async () => {
      sandbox.setEnvelope('v2');
      sandbox.failNext({ code: 'invalid_oauth_user', httpStatus: 403 });
      const error = await failure(clientFor(sandbox.url).getSessionToken({ returnUrl: '/' }));
      expect(error).toMatchObject({ apiCode: 'invalid_oauth_user' });
      expect(error.message).toMatch(/HTTP 403/);
    });

    it('re-reads rotated credentials once (forceRefresh) after invalid_signature and succeeds with them', async () => {
      sandbox.rotateCredentials(ROTATED);
      const getCredentials = credentialsSpy(ROTATED, CREDENTIALS);
      const token = await clientFor(sandbox.url, getCredentials).getSessionToken({ returnUrl: '/v/4' });
      expect(await redeem(token)).toBe('/v/4');
      expect(getCredentials.mock.calls).toEqual([[], [{ forceRefresh: true }]]);
      expect(sandbox.getTokenCalls).toBe(2);
    });

    it('retries exactly once: a second invalid_signature is the error', async () => {
      const getCredentials = credentialsSpy();
      sandbox.failNext({ code: 'invalid_signature', message: 'The API signature is invalid.' });
      sandbox.failNext({ code: 'invalid_signature', message: 'The API signature is invalid.' });
      const error = await failure(clientFor(sandbox.url, getCredentials).getSessionToken({ returnUrl: '/' }));
      expect(error).toMatchObject({ apiCode: 'invalid_signature', code: 'twentythree_invalid_signature' });
      expect(getCredentials.mock.calls.filter(([options]) => options?.forceRefresh === true)).toHaveLength(1);
      expect(sandbox.getTokenCalls).toBe(2);
    });

    it('throws TwentyThreeTimeoutError when TwentyThree never answers', async () => {
      sandbox.failNext('hang');
      const error = await failure(clientFor(sandbox.url, credentialsSpy(), 200).getSessionToken({ returnUrl: '/' }));
      expect(error).toBeInstanceOf(TwentyThreeTimeoutError);
      expect(error).toMatchObject({ code: 'twentythree_timeout', status: 504 });
    });

    it('bounds the whole call, the retry after invalid_signature included', async () => {
      sandbox.failNext({ code: 'invalid_signature' });
      sandbox.failNext('hang');
      const error = await failure(clientFor(sandbox.url, credentialsSpy(), 200).getSessionToken({ returnUrl: '/' }));
      expect(error).toBeInstanceOf(TwentyThreeTimeoutError);
      expect(sandbox.getTokenCalls).toBe(2);
    });

    it('throws TwentyThreeError (bad_response) for a malformed body', async () => {
      sandbox.failNext('malformed');
      const error = await failure(clientFor(sandbox.url).getSessionToken({ returnUrl: '/' }));
      expect(error).toMatchObject({ apiCode: undefined, code: 'twentythree_bad_response' });
      expect(error.message).toMatch(/unrecognised body/);
    });

    describe('odd answers', () => {
      let odd: OddServer | undefined;
      afterEach(async () => {
        await odd?.close();
        odd = undefined;
      });

      it('refuses HTTP 500 with an ok-looking body but an empty token', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"status":"ok","sessiontoken":{"access_token":""}}');
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error).toMatchObject({ code: 'twentythree_bad_response' });
        expect(error.message).toMatch(/HTTP 500 .*but no access_token/);
      });

      it('refuses a token that comes with an error status and never puts it in the message', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(503, { 'content-type': 'text/xml' });
          res.end('<response status="ok"><access_token>secret-looking-token-123456</access_token></response>');
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error).toBeInstanceOf(TwentyThreeError);
        expect(error.message).toBe('get-token answered HTTP 503 (xml) status="ok" but not with a 2xx status');
        expectNothingSecret(error, ['secret-looking-token-123456']);
      });

      it('refuses status ok with an empty XML token on HTTP 200', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end('<response status="ok" permission_level="super"><access_token></access_token></response>');
        });
        expect(await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }))).toMatchObject({ code: 'twentythree_bad_response' });
      });

      it('refuses an HTML error page, naming its status and type but not its content', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html><body>Bad gateway</body></html>');
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error.message).toBe('get-token answered HTTP 502 with an unrecognised body (text/html, 37 bytes)');
      });

      it('does not follow a redirect with the signed request', async () => {
        odd = await oddServer((req, res) => {
          if (req.url?.startsWith('/elsewhere')) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"status":"ok","sessiontoken":{"access_token":"from-a-redirect-target"}}');
            return;
          }
          res.writeHead(301, { location: '/elsewhere' });
          res.end();
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error.message).toMatch(/HTTP 301/);
        expect(odd.requests).toHaveLength(1);
      });

      it('refuses an answer larger than any get-token answer', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"status":"ok","sessiontoken":{"access_token":"${'x'.repeat(300 * 1024)}"}}`);
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error.message).toMatch(/more than 262144 bytes/);
      });

      it('redacts credentials echoed in an error message and never logs the signature', async () => {
        odd = await oddServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', code: 'invalid_oauth_site', message: `Unknown consumer ${CREDENTIALS.consumerKey} / ${CREDENTIALS.consumerSecret}` }));
        });
        const error = await failure(clientFor(odd.url).getSessionToken({ returnUrl: '/' }));
        expect(error).toMatchObject({ apiCode: 'invalid_oauth_site' });
        expect(error.message).toContain('Unknown consumer [redacted] / [redacted]');
        const authorization = odd.requests[0]?.headers.authorization ?? '';
        const signature = decodeURIComponent(/oauth_signature="([^"]+)"/.exec(authorization)?.[1] ?? 'missing');
        expectNothingSecret(error, [CREDENTIALS.consumerKey, signature, encodeURIComponent(signature)]);
      });

      it('throws TwentyThreeError when nothing listens', async () => {
        odd = await oddServer(() => undefined);
        const url = odd.url;
        await odd.close();
        odd = undefined;
        const error = await failure(clientFor(url).getSessionToken({ returnUrl: '/' }));
        expect(error).toMatchObject({ code: 'twentythree_bad_response' });
        expect(error.message).toBe('get-token request failed (ECONNREFUSED)');
      });
    });
  });

  describe('Method: redeemUrl', () => {
    it('points the browser at redeem-token with the token as session_token, strictly encoded', () => {
      const client = createTwentyThreeClient({ siteOrigin: 'https://videos.example.com/', timeoutMs: 1000, getCredentials: credentialsSpy() });
      expect(client.redeemUrl('ab+c/d=e f')).toBe('https://videos.example.com/api/session/redeem-token?session_token=ab%2Bc%2Fd%3De%20f');
    });
  });
});
