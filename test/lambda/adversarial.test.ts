// Who gets in: every way we know to get a TwentyThree session without being the right, signed-in
// person is tried against the real handler, and each must end in a refusal with no get-token call.
import { Browser, CALLBACK_URL, CREDENTIALS, providerAnswer, signIn, startHarness, startLogin, type Harness } from './fixtures/harness.js';
import type { IssuedCode } from './fixtures/scripted-provider.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** Runs `attack` and asserts TwentyThree was never asked for a token while it ran. */
async function refusedWithoutTwentyThree(attack: () => Promise<{ statusCode?: number; body?: string }>) {
  const calls = h.sandbox.getTokenCalls;
  const result = await attack();
  expect(h.sandbox.getTokenCalls).toBe(calls);
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  return result;
}

describe('ID-token forgery', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, IssuedCode]> = [
    ['alg: none', { signing: 'alg-none' }],
    ['HS256 signed with the public key as the HMAC secret', { signing: 'hs256-with-public-key' }],
    ['a kid that is not in the JWKS', { signing: 'unknown-kid' }],
    ["the provider's kid but another key", { signing: 'foreign-key' }],
    ['a wrong issuer', { claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_attacker' } }],
    ['a wrong audience', { claims: { aud: 'some-other-app' } }],
    ['a token from another client of the same pool', { claims: { aud: ['other-client', 'bridge-client'], azp: 'other-client' } }],
    ['an expired token', { claims: { iat: now() - 7200, exp: now() - 3600 } }],
    ['a token not valid yet', { claims: { nbf: now() + 3600 } }],
    ['a token for this audience but authorized for another client (azp)', { claims: { azp: 'other-client' } }],
    ['a token issued in the future (iat)', { claims: { iat: now() + 86400 } }],
    ['a nonce from another sign-in', { claims: { nonce: 'nonce-of-another-sign-in' } }],
    ['no nonce at all', { claims: { nonce: undefined } }],
    ['an access token (token_use: access)', { claims: { token_use: 'access' } }],
  ];

  it.each(cases)('refuses %s with 502 and no TwentyThree call', async (_name, issued) => {
    const result = await refusedWithoutTwentyThree(() => signIn(new Browser(h.handler), h.provider, issued));
    expect(result.statusCode).toBe(502);
    expect(result.body).toContain('id_token_invalid');
  });

  it('revokes the refresh token of a sign-in refused after the exchange', async () => {
    const revoked = h.provider.revoked.length;
    await refusedWithoutTwentyThree(() => signIn(new Browser(h.handler), h.provider, { claims: { token_use: 'access' } }));
    expect(h.provider.revoked).toHaveLength(revoked + 1);
    expect(h.provider.revoked.at(-1)).toBe(h.provider.issuedRefreshTokens.at(-1));
  });

  it('accepts the same flow with an honest token (the cases above fail for their forgery only)', async () => {
    expect((await signIn(new Browser(h.handler), h.provider)).statusCode).toBe(302);
  });
});

describe('Flow attacks', () => {
  it('refuses a callback without the state cookie', async () => {
    const request = await startLogin(new Browser(h.handler));
    const result = await refusedWithoutTwentyThree(() => new Browser(h.handler).get(providerAnswer(h.provider, request)));
    expect(result.statusCode).toBe(400);
  });

  it("refuses a state from another browser, even when this browser has a sign-in of its own", async () => {
    const victim = new Browser(h.handler);
    await startLogin(victim);
    const attackerRequest = await startLogin(new Browser(h.handler));
    const result = await refusedWithoutTwentyThree(() => victim.get(providerAnswer(h.provider, attackerRequest)));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('state_missing');
  });

  it('checks the state before the code is redeemed at the provider', async () => {
    const browser = new Browser(h.handler);
    const request = await startLogin(browser);
    const tokenRequests = h.provider.tokenRequests.length;
    const code = h.provider.issueCode({ nonce: request.nonce, codeChallenge: request.codeChallenge });
    await refusedWithoutTwentyThree(() => browser.get(`/callback?code=${code}&state=${'A'.repeat(43)}`));
    expect(h.provider.tokenRequests).toHaveLength(tokenRequests);
  });

  it('refuses a replayed callback, from the same browser and from a copy of its cookie', async () => {
    const browser = new Browser(h.handler);
    const request = await startLogin(browser);
    const answer = providerAnswer(h.provider, request);
    const saved = new Map(browser.jar);
    expect((await browser.get(answer)).statusCode).toBe(302);
    // The same browser again: its cookie was cleared by the first callback.
    expect((await refusedWithoutTwentyThree(() => browser.get(answer))).body).toContain('state_missing');
    // An attacker who kept a copy of the cookie: the provider refuses the spent code.
    const copy = new Browser(h.handler);
    for (const [k, v] of saved) copy.jar.set(k, v);
    const replay = await refusedWithoutTwentyThree(() => copy.get(answer));
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('code_invalid');
  });

  it('refuses a state cookie altered by one bit', async () => {
    for (const position of [0, 10, 60, -5, -1]) {
      const browser = new Browser(h.handler);
      const request = await startLogin(browser);
      const [name, value] = [...browser.jar][0] ?? ['', ''];
      const index = position < 0 ? value.length + position : position;
      const flipped = String.fromCharCode(value.charCodeAt(index) ^ 1);
      browser.jar.set(name, value.slice(0, index) + flipped + value.slice(index + 1));
      const result = await refusedWithoutTwentyThree(() => browser.get(providerAnswer(h.provider, request)));
      expect(result.statusCode).toBe(400);
    }
  });

  it('refuses a state cookie older than its lifetime', async () => {
    let clock = Date.now();
    const handler = h.withEnv({ STATE_MAX_AGE_SECONDS: '600' }, () => clock);
    const browser = new Browser(handler);
    const request = await startLogin(browser);
    clock += 601_000;
    const result = await refusedWithoutTwentyThree(() => browser.get(providerAnswer(h.provider, request)));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('state_expired');
  });

  it('refuses an authorization code injected from another session (PKCE binds it to its own browser)', async () => {
    const victim = new Browser(h.handler);
    const victimRequest = await startLogin(victim);
    const attackerRequest = await startLogin(new Browser(h.handler));
    // The attacker's code, minted for the attacker's own PKCE challenge and nonce …
    const attackerCode = h.provider.issueCode({ nonce: attackerRequest.nonce, codeChallenge: attackerRequest.codeChallenge });
    // … planted into the victim's callback with the victim's state.
    const result = await refusedWithoutTwentyThree(() => victim.get(`/callback?code=${attackerCode}&state=${victimRequest.state}`));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('code_invalid');
  });

  it('lets two tabs that start signing in at the same time both finish', async () => {
    const browser = new Browser(h.handler);
    const [first, second] = await Promise.all([startLogin(browser, '?return_url=%2Fv%2F1'), startLogin(browser, '?return_url=%2Fv%2F2')]);
    expect(browser.jar.size).toBe(2);
    const firstResult = await browser.get(providerAnswer(h.provider, first));
    expect(firstResult.statusCode).toBe(302);
    expect(h.sandbox.lastGetToken?.params.return_url).toBe('/v/1');
    const secondResult = await browser.get(providerAnswer(h.provider, second));
    expect(secondResult.statusCode).toBe(302);
    expect(h.sandbox.lastGetToken?.params.return_url).toBe('/v/2');
  });

  it('sends the configured redirect_uri to the token endpoint even with spoofed Host and X-Forwarded-* headers', async () => {
    const browser = new Browser(h.handler);
    const request = await startLogin(browser);
    const tokenRequests = h.provider.tokenRequests.length;
    const result = await browser.get(providerAnswer(h.provider, request), { host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' });
    expect(result.statusCode).toBe(302);
    expect(h.provider.tokenRequests).toHaveLength(tokenRequests + 1);
    expect(h.provider.tokenRequests.at(-1)?.redirectUri).toBe(CALLBACK_URL);
  });
});

describe('Access policy at the callback', () => {
  it('shows a 403 page with a sign-out link to a signed-in person outside the allowed groups, and still revokes their token', async () => {
    const handler = h.withEnv({ ALLOWED_GROUPS: 'staff' });
    const revoked = h.provider.revoked.length;
    const result = await refusedWithoutTwentyThree(() => signIn(new Browser(handler), h.provider, { claims: { 'cognito:groups': ['contractors'] } }));
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('You are signed in, but your account is not allowed');
    expect(result.body).toContain('href="/logout"');
    expect(h.provider.revoked).toHaveLength(revoked + 1);
    expect((await signIn(new Browser(handler), h.provider, { claims: { 'cognito:groups': ['staff'] } })).statusCode).toBe(302);
  });

  it('admits only verified e-mails of the allowed domains, with no suffix tricks', async () => {
    const handler = h.withEnv({ ALLOWED_EMAIL_DOMAINS: 'example.com' });
    for (const email of ['mallory@evilexample.com', 'mallory@example.com.evil.io']) {
      const result = await refusedWithoutTwentyThree(() => signIn(new Browser(handler), h.provider, { claims: { email } }));
      expect(result.statusCode).toBe(403);
    }
    await refusedWithoutTwentyThree(() => signIn(new Browser(handler), h.provider, { claims: { email_verified: false } }));
    expect((await signIn(new Browser(handler), h.provider, { claims: { email: 'Alice@EXAMPLE.com' } })).statusCode).toBe(302);
  });

  it('never sends the e-mail when SEND_EMAIL is never', async () => {
    const calls = h.sandbox.getTokenCalls;
    expect((await signIn(new Browser(h.withEnv({ SEND_EMAIL: 'never' })), h.provider)).statusCode).toBe(302);
    expect(h.sandbox.getTokenCalls).toBe(calls + 1);
    expect(h.sandbox.lastGetToken?.params.email).toBeUndefined();
    expect(h.sandbox.lastGetToken?.params.full_name).toBe('Alice Example');
  });
});

describe('Logs', () => {
  /** Runs a whole successful sign-in and a handful of refused ones, then returns every value that must not be logged. */
  async function runFlows(harness: Harness): Promise<string[]> {
    const secrets: string[] = [];
    const flow = async (issued: IssuedCode, mutate?: (browser: Browser) => void) => {
      const browser = new Browser(harness.handler);
      const request = await startLogin(browser);
      secrets.push(request.state, request.nonce, ...browser.jar.values());
      mutate?.(browser);
      const answer = providerAnswer(harness.provider, request, issued);
      secrets.push(new URLSearchParams(answer.split('?')[1]).get('code') ?? '');
      const result = await browser.get(answer);
      const token = new URL(result.headers.Location ?? 'x:/').searchParams.get('session_token');
      if (token) secrets.push(token);
      return result;
    };
    expect((await flow({})).statusCode).toBe(302);
    expect((await flow({ signing: 'foreign-key' })).statusCode).toBe(502);
    expect((await flow({ claims: { token_use: 'access' } })).statusCode).toBe(502);
    expect((await flow({}, (b) => b.jar.clear())).statusCode).toBe(400);
    harness.sandbox.failNext({ code: 'invalid_signature' });
    harness.sandbox.failNext({ code: 'invalid_signature' });
    expect((await flow({})).statusCode).toBe(502);
    return [
      ...secrets,
      ...harness.provider.issuedRefreshTokens,
      ...harness.provider.issuedTokens,
      harness.provider.clientSecret,
      CREDENTIALS.consumerSecret,
      CREDENTIALS.accessToken,
      CREDENTIALS.accessTokenSecret,
      'alice@example.com',
    ];
  }

  it('contain no token, code, cookie value, credential or e-mail, in successful and refused flows', async () => {
    const harness = await startHarness();
    try {
      const forbidden = await runFlows(harness);
      const logs = harness.logLines.join('\n');
      expect(harness.logLines.length).toBeGreaterThanOrEqual(5);
      for (const value of forbidden) {
        expect(value.length).toBeGreaterThan(3);
        expect(logs).not.toContain(value);
      }
    } finally {
      await harness.close();
    }
  });

  it('stay clean when POWERTOOLS_LOGGER_LOG_EVENT asks for the event (it holds the code and the cookie)', async () => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    try {
      const harness = await startHarness();
      try {
        const forbidden = await runFlows(harness);
        const logs = harness.logLines.join('\n');
        for (const value of forbidden) expect(logs).not.toContain(value);
      } finally {
        await harness.close();
      }
    } finally {
      delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    }
  });
});
