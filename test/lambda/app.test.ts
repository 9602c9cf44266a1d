// The handler end to end, route by route, against real loopback servers (see fixtures/harness.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createHandlerFromEnv } from '../../lambda/app.js';
import { Browser, CALLBACK_URL, CREDENTIALS, getEvent, lambdaContext, providerAnswer, signIn, startHarness, startLogin, type Harness } from './fixtures/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const location = (result: { headers: Record<string, string> }) => result.headers.Location ?? '';

describe('Route: GET /login', () => {
  it('redirects to the provider with PKCE S256, state, nonce and the configured redirect_uri', async () => {
    const request = await startLogin(new Browser(h.handler), '?return_url=%2Fv%2F123');
    expect(request.url.origin + request.url.pathname).toBe(`${h.provider.issuer}/authorize`);
    const p = request.url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(h.provider.clientId);
    expect(p.get('redirect_uri')).toBe(CALLBACK_URL);
    expect(p.get('scope')).toBe('openid email profile');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(request.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.has('identity_provider')).toBe(false);
  });

  it('sets one encrypted, host-bound (__Host-), HttpOnly, Secure, SameSite=Lax cookie', async () => {
    const result = await h.handler(getEvent('/login?return_url=%2Fv%2Frecognisable-path'), lambdaContext());
    expect(result.cookies).toHaveLength(1);
    const cookie = result.cookies?.[0] ?? '';
    expect(cookie).toMatch(/^__Host-t23sso_[A-Za-z0-9_-]{16}=[A-Za-z0-9_.-]+;/);
    expect(cookie.split('; ').slice(1)).toEqual(['Max-Age=600', 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']);
    // Sealed, not merely encoded: a JWE (dir + A256GCM) none of whose parts decodes to the flow's values.
    const value = cookie.slice(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    const parts = value.split('.');
    expect(parts).toHaveLength(5);
    expect(JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    const decoded = parts.map((p) => Buffer.from(p, 'base64url').toString('latin1')).join('|');
    const params = new URL(location(result)).searchParams;
    for (const secret of [params.get('state'), params.get('nonce'), 'recognisable-path']) expect(decoded).not.toContain(secret);
  });

  it('keeps at most four sign-in attempts per browser, so abandoned ones never lock it out', async () => {
    const browser = new Browser(h.handler);
    for (let i = 0; i < 30; i += 1) await startLogin(browser, `?return_url=/${'x'.repeat(1000)}`);
    expect(browser.jar.size).toBe(4);
    const calls = h.sandbox.getTokenCalls;
    expect((await signIn(browser, h.provider)).statusCode).toBe(302);
    expect(h.sandbox.getTokenCalls).toBe(calls + 1);
  });

  it('never derives the redirect_uri from Host or X-Forwarded-* headers', async () => {
    const result = await h.handler(
      getEvent('/login', { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } }),
      lambdaContext(),
    );
    expect(new URL(location(result)).searchParams.get('redirect_uri')).toBe(CALLBACK_URL);
  });

  it('sends people straight to the configured federated identity provider', async () => {
    const result = await h.withEnv({ IDENTITY_PROVIDER: 'Corporate' })(getEvent('/login'), lambdaContext());
    expect(new URL(location(result)).searchParams.get('identity_provider')).toBe('Corporate');
  });

  it('answers every response with no-store and the security headers', async () => {
    const result = await h.handler(getEvent('/login'), lambdaContext());
    expect(result.headers['Cache-Control']).toBe('no-store');
    expect(result.headers['Referrer-Policy']).toBe('no-referrer');
    expect(result.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(result.headers['Strict-Transport-Security']).toMatch(/max-age=\d+/);
    expect(result.headers['Content-Security-Policy']).toMatch(/default-src 'none'/);
  });
});

describe('Route: GET /callback', () => {
  it('exchanges the code and redirects to redeem-token with a token the site accepts', async () => {
    const browser = new Browser(h.handler);
    const calls = h.sandbox.getTokenCalls;
    const result = await signIn(browser, h.provider, {}, '?return_url=%2Fv%2F123');
    expect(result.statusCode).toBe(302);
    const redeem = new URL(location(result));
    expect(redeem.origin + redeem.pathname).toBe(`${h.sandbox.url}/api/session/redeem-token`);
    expect(redeem.searchParams.get('session_token')).toMatch(/.{16,}/);
    expect(h.sandbox.getTokenCalls).toBe(calls + 1);
    expect(h.sandbox.lastGetToken?.params).toMatchObject({ return_url: '/v/123', email: 'alice@example.com', full_name: 'Alice Example' });
    expect(h.sandbox.lastGetToken?.outcome).toBe('ok');
    // The state cookie is spent.
    expect(browser.jar.size).toBe(0);
    expect(result.headers['Cache-Control']).toBe('no-store');
  });

  it('sends names and e-mails with reserved and non-ASCII characters so the signature still verifies', async () => {
    const result = await signIn(new Browser(h.handler), h.provider, {
      claims: { name: undefined, given_name: "Zoë O'Brien", family_name: '(QA) *!', email: 'a+b@example.com' },
    });
    expect(result.statusCode).toBe(302);
    expect(h.sandbox.lastGetToken?.params).toMatchObject({ email: 'a+b@example.com', full_name: "Zoë O'Brien (QA) *!" });
  });

  it('does not send an e-mail the provider has not verified', async () => {
    const result = await signIn(new Browser(h.handler), h.provider, { claims: { email_verified: false } });
    expect(result.statusCode).toBe(302);
    expect(h.sandbox.lastGetToken?.params.email).toBeUndefined();
    expect(h.sandbox.lastGetToken?.params.full_name).toBe('Alice Example');
  });

  it('replaces a return_url that leaves the site with / before TwentyThree sees it', async () => {
    const calls = h.sandbox.getTokenCalls;
    const result = await signIn(new Browser(h.handler), h.provider, {}, `?return_url=${encodeURIComponent('https://evil.example/phish')}`);
    expect(result.statusCode).toBe(302);
    expect(h.sandbox.getTokenCalls).toBe(calls + 1);
    expect(h.sandbox.lastGetToken?.params.return_url).toBe('/');
  });

  it('revokes the refresh token it was given, so no live token outlives the sign-in', async () => {
    const before = h.provider.revoked.length;
    await signIn(new Browser(h.handler), h.provider);
    expect(h.provider.revoked).toHaveLength(before + 1);
    expect(h.provider.revoked.at(-1)).toBe(h.provider.issuedRefreshTokens.at(-1));
  });

  it('still signs the person in when revocation fails (the failure is logged, not shown)', async () => {
    const harness = await startHarness();
    try {
      harness.provider.failRevocation();
      const result = await signIn(new Browser(harness.handler), harness.provider);
      expect(result.statusCode).toBe(302);
      expect(harness.logLines.some((l) => l.includes('refresh token revocation failed'))).toBe(true);
    } finally {
      await harness.close();
    }
  });

  it('shows a 403 page, not a 500, when the person cancels at the identity provider', async () => {
    const browser = new Browser(h.handler);
    const request = await startLogin(browser);
    const calls = h.sandbox.getTokenCalls;
    const result = await browser.get(`/callback?error=access_denied&error_description=User+cancelled&state=${request.state}`);
    expect(result.statusCode).toBe(403);
    expect(result.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('Sign-in was cancelled or refused');
    // Every error page offers the way back to the configured site, and only that site.
    expect(result.body).toContain(`<a href="${h.sandbox.url}/">Back to the video site</a>`);
    expect(h.sandbox.getTokenCalls).toBe(calls);
    expect(browser.jar.size).toBe(0);
  });

  it('refuses a callback without the state cookie with 400 and calls neither the provider nor TwentyThree', async () => {
    const request = await startLogin(new Browser(h.handler));
    const tokenCalls = h.provider.tokenRequests.length;
    const calls = h.sandbox.getTokenCalls;
    const result = await new Browser(h.handler).get(providerAnswer(h.provider, request));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('state_missing');
    expect(h.provider.tokenRequests).toHaveLength(tokenCalls);
    expect(h.sandbox.getTokenCalls).toBe(calls);
  });

  it('answers TwentyThree errors that arrive as HTTP 200 with a 502 page and the request id', async () => {
    h.sandbox.failNext({ code: 'permission_denied', message: "Permission denied (required level: 'super')" });
    const result = await signIn(new Browser(h.handler), h.provider);
    expect(result.statusCode).toBe(502);
    expect(result.body).toContain('twentythree_permission_denied');
    expect(result.body).toMatch(/Request id: req-[0-9a-f-]{36}/);
    expect(result.headers.Location).toBeUndefined();
  });

  it('answers a TwentyThree that does not answer with a 504 page within the timeout', async () => {
    h.sandbox.failNext('hang');
    const result = await signIn(new Browser(h.handler), h.provider);
    expect(result.statusCode).toBe(504);
    expect(result.body).toContain('twentythree_timeout');
  });

  it('re-reads rotated TwentyThree credentials once when the site says the signature is invalid', async () => {
    const harness = await startHarness();
    try {
      expect((await signIn(new Browser(harness.handler), harness.provider)).statusCode).toBe(302);
      const rotated = { ...CREDENTIALS, accessToken: 'at-rotated', accessTokenSecret: 'ats-rotated' };
      harness.sandbox.rotateCredentials(rotated);
      harness.secrets.put(
        'twentythree-credentials',
        JSON.stringify({ consumer_key: rotated.consumerKey, consumer_secret: rotated.consumerSecret, access_token: rotated.accessToken, access_token_secret: rotated.accessTokenSecret }),
      );
      const reads = harness.secrets.callsFor('twentythree-credentials');
      const calls = harness.sandbox.getTokenCalls;
      expect((await signIn(new Browser(harness.handler), harness.provider)).statusCode).toBe(302);
      expect(harness.sandbox.getTokenCalls).toBe(calls + 2);
      expect(harness.secrets.callsFor('twentythree-credentials')).toBe(reads + 1);
    } finally {
      await harness.close();
    }
  });

  it('explains a secret with a missing field with a 500 page, naming nothing secret', async () => {
    const harness = await startHarness();
    try {
      harness.secrets.put('twentythree-credentials', JSON.stringify({ consumer_key: 'x', consumer_secret: '', access_token: 'y' }));
      const result = await signIn(new Browser(harness.handler), harness.provider);
      expect(result.statusCode).toBe(500);
      expect(result.body).toContain('secret_invalid');
      expect(result.body).toContain('not configured correctly');
      expect(harness.logLines.join('\n')).toMatch(/consumer_secret/);
    } finally {
      await harness.close();
    }
  });
});

describe('Failures of the parts around the handler', () => {
  it('calls a provider whose token endpoint hangs unavailable (502 idp_unavailable), not a forgery', async () => {
    const harness = await startHarness({ OIDC_TIMEOUT_SECONDS: '1' });
    try {
      harness.provider.hangTokenEndpoint();
      const result = await signIn(new Browser(harness.handler), harness.provider);
      expect(result.statusCode).toBe(502);
      expect(result.body).toContain('idp_unavailable');
      expect(harness.sandbox.getTokenCalls).toBe(0);
    } finally {
      await harness.close();
    }
  });

  it('answers with a 504 page just before the Lambda timeout instead of being cut off', async () => {
    const harness = await startHarness({ TWENTYTHREE_TIMEOUT_MS: '20000' });
    try {
      const browser = new Browser(harness.handler);
      const request = await startLogin(browser);
      harness.sandbox.failNext('hang');
      const cookies = [...browser.jar].map(([k, v]) => `${k}=${v}`);
      const result = await harness.handler(getEvent(providerAnswer(harness.provider, request), { cookies }), lambdaContext(1500));
      expect(result.statusCode).toBe(504);
      expect(result.body).toContain('request_timeout');
      expect(result.headers['Cache-Control']).toBe('no-store');
    } finally {
      await harness.close();
    }
  });

  it('puts the same security headers on error pages as on redirects', async () => {
    const result = await h.handler(getEvent('/callback?code=x&state=' + 'A'.repeat(43)), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(result.headers).toMatchObject({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
    expect(result.headers['Content-Security-Policy']).toMatch(/default-src 'none'.*style-src 'sha256-/);
  });
});

describe('Metrics', () => {
  /** The metrics published since `from`, as "Name" or "Name code=…". */
  const published = (from: number) =>
    h.metricDocs.slice(from).map((doc) => {
      const name = Object.keys(doc).find((k) => ['SignInStarted', 'SignIn', 'ErrorPage'].includes(k)) ?? '?';
      expect(doc.service).toBe('twentythree-sso');
      expect((doc._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]?.Namespace).toBe('TwentyThreeSso');
      return doc.code === undefined ? name : `${name} code=${String(doc.code)}`;
    });

  it('counts sign-ins started and completed, one EMF document each', async () => {
    const from = h.metricDocs.length;
    expect((await signIn(new Browser(h.handler), h.provider)).statusCode).toBe(302);
    expect(published(from)).toEqual(['SignInStarted', 'SignIn']);
  });

  it('counts error pages by code, so a forged ID token can raise an alarm', async () => {
    const from = h.metricDocs.length;
    await signIn(new Browser(h.handler), h.provider, { signing: 'foreign-key' });
    await h.handler(getEvent('/nowhere'), lambdaContext());
    expect(published(from)).toEqual(['SignInStarted', 'ErrorPage code=id_token_invalid', 'ErrorPage code=not_found']);
  });
});

describe('Cold start', () => {
  it('warms up: the secrets and discovery are fetched before the first request, and not again by it', async () => {
    const harness = await startHarness();
    try {
      const handler = harness.withEnv({});
      const reads = harness.secrets.getSecretValueCalls;
      await handler.warmUp(5000);
      expect(harness.secrets.getSecretValueCalls).toBe(reads + 3);
      expect((await signIn(new Browser(handler), harness.provider)).statusCode).toBe(302);
      expect(harness.secrets.getSecretValueCalls).toBe(reads + 3);
    } finally {
      await harness.close();
    }
  });

  it('gives up warming up after its budget without failing, leaving the work to the first request', async () => {
    // A provider that accepts connections and never answers: discovery would wait its full 20 s timeout,
    // so only the 200 ms budget can make warmUp finish within this test's 10 s limit.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const harness = await startHarness({ OIDC_ISSUER: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, OIDC_TIMEOUT_SECONDS: '20' });
    try {
      await expect(harness.withEnv({}).warmUp(200)).resolves.toBeUndefined();
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await harness.close();
    }
  }, 10_000);
});

describe('Function: createHandlerFromEnv', () => {
  it('turns a configuration error into a clear 500 page and one log line naming the variable', async () => {
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'test' });
    (logger as unknown as { console: Partial<Console> }).console = { error: (l: string) => lines.push(l), info: () => undefined, warn: (l: string) => lines.push(l) };
    const handler = createHandlerFromEnv({ TWENTYTHREE_URL: 'https://videos.example.com' }, { logger });
    expect(lines.join('\n')).toContain('OIDC_ISSUER is not set');
    const result = await handler(getEvent('/login'), lambdaContext());
    expect(result.statusCode).toBe(500);
    expect(result.body).toContain('config_invalid');
    expect(result.body).toContain('not configured correctly');
    expect(result.body).not.toContain('OIDC_ISSUER');
    expect(result.headers['Cache-Control']).toBe('no-store');
  });
});

describe('Route: GET /logout', () => {
  it("sends the browser to the provider's end-session endpoint, returning to the site", async () => {
    const result = await h.handler(getEvent('/logout'), lambdaContext());
    expect(result.statusCode).toBe(302);
    const url = new URL(location(result));
    expect(url.origin + url.pathname).toBe(`${h.provider.issuer}/end-session`);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${h.sandbox.url}/`);
    expect(url.searchParams.get('client_id')).toBe(h.provider.clientId);
  });

  it("uses Cognito's /logout with client_id and logout_uri when a Cognito domain is configured", async () => {
    const handler = h.withEnv({ COGNITO_DOMAIN_URL: 'https://sso-videos.auth.eu-west-1.amazoncognito.com' });
    const url = new URL(location(await handler(getEvent('/logout'), lambdaContext())));
    expect(url.origin + url.pathname).toBe('https://sso-videos.auth.eu-west-1.amazoncognito.com/logout');
    expect(url.searchParams.get('client_id')).toBe(h.provider.clientId);
    expect(url.searchParams.get('logout_uri')).toBe(`${h.sandbox.url}/`);
  });
});

describe('Routing and input limits', () => {
  it('answers an unknown route with a 404 page', async () => {
    const result = await h.handler(getEvent('/admin'), lambdaContext());
    expect(result.statusCode).toBe(404);
    expect(result.headers['Cache-Control']).toBe('no-store');
  });

  it('answers an 8 KB query string with 414 and a 16 KB cookie header with 400', async () => {
    const longQuery = await h.handler(getEvent(`/login?return_url=/${'a'.repeat(8192)}`), lambdaContext());
    expect(longQuery.statusCode).toBe(414);
    const bigCookies = await h.handler(getEvent('/callback?state=x&code=y', { cookies: [`junk=${'a'.repeat(16384)}`] }), lambdaContext());
    expect(bigCookies.statusCode).toBe(400);
  });
});
