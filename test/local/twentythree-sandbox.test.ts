// The TwentyThree sandbox over real HTTP: OAuth verification (signed by our signer and by the oauth-1.0a package),
// envelopes, errors as HTTP 200, single-use expiring tokens, sessions, the protected page and logout.
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { percentEncode, signRequest } from '../../lambda/twentythree/oauth1.js';
import type { TwentyThreeCredentials } from '../../lambda/secrets/bridge-secrets.js';
import { SANDBOX_SESSION_COOKIE, startTwentyThreeSandbox, type SandboxOptions, type TwentyThreeSandbox } from '../../local/twentythree-sandbox.js';

const CREDENTIALS: TwentyThreeCredentials = { consumerKey: 'ck-Zoë+1', consumerSecret: 'cs secret/&=', accessToken: 'at-123', accessTokenSecret: 'ats~!*()' };
const BRIDGE = 'http://localhost:3999';
const MINUTE = 60 * 1000;

let clock = Date.now();
let sandbox: TwentyThreeSandbox;

async function start(options: Partial<SandboxOptions> = {}): Promise<TwentyThreeSandbox> {
  sandbox = await startTwentyThreeSandbox({ credentials: CREDENTIALS, bridgeUrl: BRIDGE, now: () => clock, ...options });
  return sandbox;
}

beforeEach(() => {
  clock = Date.now();
});

afterEach(async () => {
  await sandbox?.close();
});

function getTokenUrl(query: Record<string, string>, extra = ''): string {
  const pairs = Object.entries(query).map(([name, value]) => `${name}=${percentEncode(value)}`);
  return `${sandbox.url}/api/session/get-token?${pairs.join('&')}${extra}`;
}

/** A get-token call signed by the bridge's signer, OAuth in the Authorization header. */
async function signedGet(url: string, options: { credentials?: TwentyThreeCredentials; nonce?: string; timestamp?: number } = {}): Promise<Response> {
  const { authorization } = signRequest({
    method: 'GET',
    url,
    credentials: options.credentials ?? CREDENTIALS,
    nonce: options.nonce,
    timestamp: options.timestamp ?? Math.floor(clock / 1000),
  });
  return fetch(url, { headers: { authorization } });
}

async function tokenFrom(response: Response): Promise<string> {
  const json = (await response.json()) as { status: string; sessiontoken: { access_token: string } };
  expect(json.status).toBe('ok');
  return json.sessiontoken.access_token;
}

/** Signs in through get-token (bare JSON) and redeem-token; returns the session cookie pair `name=value`. */
async function signIn(query: Record<string, string>): Promise<{ cookie: string; location: string }> {
  const token = await tokenFrom(await signedGet(getTokenUrl({ ...query, format: 'json' }, '&raw')));
  const redeemed = await fetch(`${sandbox.url}/api/session/redeem-token?session_token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  expect(redeemed.status).toBe(302);
  const setCookie = redeemed.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', location: redeemed.headers.get('location') ?? '' };
}

describe('Function: startTwentyThreeSandbox', () => {
  describe('get-token', () => {
    it('answers XML by default, like the real API', async () => {
      await start();
      const response = await signedGet(getTokenUrl({ return_url: '/v/1' }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/xml/);
      const body = await response.text();
      expect(body).toMatch(/<response status="ok" permission_level="super"[^>]*>/);
      expect(body).toMatch(/<access_token>[A-Za-z0-9_-]{20,}<\/access_token>/);
      expect(body).toContain('<return_url>/v/1</return_url>');
    });

    it('answers `var visual = …;` for format=json and bare JSON for format=json&raw', async () => {
      await start();
      const visual = await (await signedGet(getTokenUrl({ format: 'json' }))).text();
      expect(visual).toMatch(/^var visual = \{.*\};$/s);
      const raw = (await (await signedGet(getTokenUrl({ format: 'json' }, '&raw'))).json()) as Record<string, unknown>;
      expect(raw).toMatchObject({ status: 'ok', permission_level: 'super', sessiontoken: { return_url: '/' } });
    });

    it('answers the v2 `data` envelope on /api/2/session/get-token and when told to', async () => {
      await start({ envelope: 'v2' });
      const forced = (await (await signedGet(getTokenUrl({ email: 'a+b@example.com', full_name: 'Zoë' }))).json()) as Record<string, unknown>;
      expect(forced).toMatchObject({ status: 'ok', data: { return_url: '/', email: 'a+b@example.com', full_name: 'Zoë' } });
      sandbox.setEnvelope('requested');
      const v2 = (await (await signedGet(`${sandbox.url}/api/2/session/get-token?return_url=%2F`)).json()) as { data: { access_token: string } };
      expect(v2.data.access_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    });

    it('accepts a request signed by the oauth-1.0a package with the OAuth parameters in the query', async () => {
      await start();
      const oauth = new OAuth({
        consumer: { key: CREDENTIALS.consumerKey, secret: CREDENTIALS.consumerSecret },
        signature_method: 'HMAC-SHA1',
        hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
      });
      oauth.getTimeStamp = () => Math.floor(clock / 1000);
      const url = getTokenUrl({ return_url: '/v/9', full_name: "Zoë O'Brien (QA)", format: 'json' }, '&raw');
      const signed = oauth.authorize({ url, method: 'GET' }, { key: CREDENTIALS.accessToken, secret: CREDENTIALS.accessTokenSecret });
      const oauthQuery = Object.entries(signed)
        .filter(([name]) => name.startsWith('oauth_'))
        .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
        .join('&');
      expect(await tokenFrom(await fetch(`${url}&${oauthQuery}`))).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(sandbox.lastGetToken).toMatchObject({ oauthIn: 'query', outcome: 'ok', params: { full_name: "Zoë O'Brien (QA)" } });
    });

    it('refuses an unsigned request with permission_denied as HTTP 200', async () => {
      await start();
      const response = await fetch(getTokenUrl({ format: 'json' }, '&raw'));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'error', code: 'permission_denied' });
    });

    it('refuses a wrong secret, a tampered parameter, OAuth in two places, a stale timestamp and a replayed nonce with invalid_signature', async () => {
      await start();
      const url = getTokenUrl({ email: 'a@example.com', format: 'json' }, '&raw');
      const wrongSecret = await signedGet(url, { credentials: { ...CREDENTIALS, accessTokenSecret: 'nope' } });
      expect(await wrongSecret.json()).toMatchObject({ status: 'error', code: 'invalid_signature' });

      const { authorization } = signRequest({ method: 'GET', url, credentials: CREDENTIALS, timestamp: Math.floor(clock / 1000) });
      const tampered = await fetch(url.replace('a%40example.com', 'b%40example.com'), { headers: { authorization } });
      expect(await tampered.json()).toMatchObject({ code: 'invalid_signature' });

      const twoPlaces = await fetch(`${url}&oauth_nonce=x`, { headers: { authorization } });
      expect(await twoPlaces.json()).toMatchObject({ code: 'invalid_signature', message: expect.stringMatching(/one place/) });

      const stale = await signedGet(url, { timestamp: Math.floor(clock / 1000) - 3600 });
      expect(await stale.json()).toMatchObject({ code: 'invalid_signature', message: expect.stringMatching(/timestamp/) });

      const first = await signedGet(url, { nonce: 'same-nonce' });
      expect(await first.json()).toMatchObject({ status: 'ok' });
      const replay = await signedGet(url, { nonce: 'same-nonce' });
      expect(await replay.json()).toMatchObject({ code: 'invalid_signature', message: expect.stringMatching(/nonce/) });
    });

    it('answers errors in the requested envelope, XML as a self-closing response element', async () => {
      await start();
      const xml = await (await fetch(getTokenUrl({ return_url: '/' }))).text();
      expect(xml).toMatch(/<response status="error" code="permission_denied" message="[^"]*&apos;super&apos;[^"]*"\/>/);
      const visual = await (await fetch(getTokenUrl({ format: 'json' }))).text();
      expect(visual).toMatch(/^var visual = \{"status":"error","code":"permission_denied"/);
    });

    it('accepts only the rotated credentials after rotateCredentials', async () => {
      await start();
      const rotated = { ...CREDENTIALS, consumerSecret: 'new secret', accessTokenSecret: 'new token secret' };
      sandbox.rotateCredentials(rotated);
      const url = getTokenUrl({ format: 'json' }, '&raw');
      expect(await (await signedGet(url)).json()).toMatchObject({ code: 'invalid_signature' });
      expect(await (await signedGet(url, { credentials: rotated })).json()).toMatchObject({ status: 'ok' });
    });

    it('refuses a return_url on another site and an e-mail that is not one with invalid_input', async () => {
      await start();
      const offSite = await signedGet(getTokenUrl({ return_url: 'https://evil.example/', format: 'json' }, '&raw'));
      expect(await offSite.json()).toMatchObject({ status: 'error', code: 'invalid_input' });
      const protocolRelative = await signedGet(getTokenUrl({ return_url: '//evil.example/', format: 'json' }, '&raw'));
      expect(await protocolRelative.json()).toMatchObject({ code: 'invalid_input' });
      const badEmail = await signedGet(getTokenUrl({ email: 'not an e-mail', format: 'json' }, '&raw'));
      expect(await badEmail.json()).toMatchObject({ code: 'invalid_input' });
      const sameSite = await signedGet(getTokenUrl({ return_url: `${sandbox.url}/v/5?t=1`, format: 'json' }, '&raw'));
      expect(await sameSite.json()).toMatchObject({ status: 'ok', sessiontoken: { return_url: '/v/5?t=1' } });
    });

    it('counts calls and remembers the parameters of the last one', async () => {
      await start();
      await signedGet(getTokenUrl({ return_url: '/v/1', email: 'a+b@example.com', full_name: "Zoë O'Brien (QA)", format: 'json' }, '&raw'));
      await fetch(getTokenUrl({ format: 'json' }));
      expect(sandbox.getTokenCalls).toBe(2);
      expect(sandbox.lastGetToken).toEqual({ params: { format: 'json' }, oauthIn: 'none', outcome: 'permission_denied' });
    });
  });

  describe('Method: failNext', () => {
    it('answers queued errors as HTTP 200 (or the given status) one call at a time, then normally again', async () => {
      await start();
      sandbox.failNext({ code: 'permission_denied', message: "Insufficient permission (required level: 'super')" });
      sandbox.failNext({ code: 'invalid_input', httpStatus: 400 });
      const url = getTokenUrl({ format: 'json' }, '&raw');
      const first = await signedGet(url);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ status: 'error', code: 'permission_denied', message: "Insufficient permission (required level: 'super')" });
      const second = await signedGet(url);
      expect(second.status).toBe(400);
      expect(await second.json()).toMatchObject({ code: 'invalid_input' });
      expect(await (await signedGet(url)).json()).toMatchObject({ status: 'ok' });
      expect(sandbox.getTokenCalls).toBe(3);
    });

    it('answers a truncated body for malformed', async () => {
      await start();
      sandbox.failNext('malformed');
      const body = await (await signedGet(getTokenUrl({ format: 'json' }, '&raw'))).text();
      expect(() => JSON.parse(body)).toThrow();
      expect(sandbox.lastGetToken?.outcome).toBe('malformed');
    });

    it('never answers for hang, and close() still finishes and drops the connection', async () => {
      await start();
      sandbox.failNext('hang');
      const pending = signedGet(getTokenUrl({ format: 'json' }, '&raw'));
      const outcome = pending.then(
        () => 'answered',
        () => 'dropped',
      );
      await waitFor(() => sandbox.getTokenCalls === 1);
      await sandbox.close();
      expect(await outcome).toBe('dropped');
    });
  });

  describe('redeem-token', () => {
    it('sets an HttpOnly session cookie and redirects to the return_url given at get-token', async () => {
      await start();
      const token = await tokenFrom(await signedGet(getTokenUrl({ return_url: '/v/42?list=a%20b', format: 'json' }, '&raw')));
      const response = await fetch(`${sandbox.url}/api/session/redeem-token?session_token=${encodeURIComponent(token)}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/v/42?list=a%20b');
      expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${SANDBOX_SESSION_COOKIE}=[A-Za-z0-9_-]{20,}; Path=/; HttpOnly; SameSite=Lax$`));
    });

    it('works once: a consumed token gets a plain 403 page', async () => {
      await start();
      const token = await tokenFrom(await signedGet(getTokenUrl({ format: 'json' }, '&raw')));
      const redeem = `${sandbox.url}/api/session/redeem-token?session_token=${encodeURIComponent(token)}`;
      expect((await fetch(redeem, { redirect: 'manual' })).status).toBe(302);
      const again = await fetch(redeem, { redirect: 'manual' });
      expect(again.status).toBe(403);
      expect(again.headers.get('set-cookie')).toBeNull();
      expect(await again.text()).toMatch(/invalid, has already been used, or has expired/);
    });

    it('refuses a token older than 15 minutes, an unknown one and a missing one', async () => {
      await start();
      const token = await tokenFrom(await signedGet(getTokenUrl({ format: 'json' }, '&raw')));
      clock += 15 * MINUTE;
      expect((await fetch(`${sandbox.url}/api/session/redeem-token?session_token=${token}`, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${sandbox.url}/api/session/redeem-token?session_token=unknown`, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${sandbox.url}/api/session/redeem-token`, { redirect: 'manual' })).status).toBe(400);
    });

    it('accepts a token redeemed just before 15 minutes are up', async () => {
      await start();
      const token = await tokenFrom(await signedGet(getTokenUrl({ format: 'json' }, '&raw')));
      clock += 15 * MINUTE - 1000;
      expect((await fetch(`${sandbox.url}/api/session/redeem-token?session_token=${token}`, { redirect: 'manual' })).status).toBe(302);
    });
  });

  describe('protected pages', () => {
    it('sends a visitor without a session to the bridge login with the page asked for', async () => {
      await start();
      const response = await fetch(`${sandbox.url}/v/123?autoplay=1`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${BRIDGE}/login?return_url=${encodeURIComponent('/v/123?autoplay=1')}`);
      sandbox.setBridgeUrl('https://sso.example.com/');
      expect((await fetch(`${sandbox.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('https://sso.example.com/login?return_url=%2F');
    });

    it('shows who is signed in, HTML-escaped, with a Sign out link', async () => {
      await start();
      const { cookie, location } = await signIn({ return_url: '/v/7', email: 'a+b@example.com', full_name: "Zoë O'Brien (QA) <script>" });
      expect(location).toBe('/v/7');
      const html = await (await fetch(`${sandbox.url}/v/7`, { headers: { cookie } })).text();
      expect(html).toContain('Signed in as Zoë O&#39;Brien (QA) &lt;script&gt; (a+b@example.com)');
      expect(html).not.toContain('<script>');
      expect(html).toContain('<a id="sign-out" href="/logout">Sign out</a>');
    });

    it("says 'no e-mail' when none was sent", async () => {
      await start();
      const { cookie } = await signIn({ full_name: 'Ada' });
      expect(await (await fetch(`${sandbox.url}/`, { headers: { cookie } })).text()).toContain('Signed in as Ada (no e-mail)');
    });

    it('keeps a session that is used and ends one unused for 30 minutes', async () => {
      await start();
      const { cookie } = await signIn({ full_name: 'Ada', email: 'ada@example.com' });
      clock += 29 * MINUTE;
      expect((await fetch(`${sandbox.url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
      clock += 29 * MINUTE;
      expect((await fetch(`${sandbox.url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
      clock += 30 * MINUTE;
      const expired = await fetch(`${sandbox.url}/v/1`, { headers: { cookie }, redirect: 'manual' });
      expect(expired.status).toBe(302);
      expect(expired.headers.get('location')).toMatch(new RegExp(`^${BRIDGE}/login\\?`));
    });

    it('answers 503 instead of redirecting when no bridge is configured', async () => {
      await start({ bridgeUrl: undefined });
      expect((await fetch(`${sandbox.url}/v/1`, { redirect: 'manual' })).status).toBe(503);
    });
  });

  describe('logout', () => {
    it('ends the sandbox session, deletes its cookie and sends the visitor to the bridge logout', async () => {
      await start();
      const { cookie } = await signIn({ full_name: 'Ada' });
      const response = await fetch(`${sandbox.url}/logout`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${BRIDGE}/logout`);
      expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${SANDBOX_SESSION_COOKIE}=; .*Max-Age=0`));
      expect((await fetch(`${sandbox.url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(302);
    });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
