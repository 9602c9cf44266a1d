// The whole sign-in flow over loopback, driven like a browser without JavaScript: the TwentyThree sandbox,
// the bridge (the real handler behind the API Gateway adapter), the embedded OpenID provider and the local
// Secrets Manager, every hop followed by hand with a cookie jar.
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { captureLogger } from '../support/capture-logger.js';
import { HttpSession, findForm, pageText, type Hop } from '../support/http-session.js';
import { signIn, signInUpToCallback, submitAutoForm } from '../support/sign-in.js';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';

describe('Function: startLocalStack', () => {
  describe('with the embedded parts (Cognito-domain mode, as deployed)', () => {
    let stack: LocalStack;
    const log = captureLogger();
    /** Every code, state, session token and cookie value the flows below see: none may reach a log line. */
    const sensitive = new Set<string>();
    const browserOf = () =>
      new HttpSession({
        onHop: (hop) => {
          for (const url of [hop.url, hop.location]) {
            if (url === undefined) continue;
            for (const name of ['code', 'state', 'session_token']) {
              const value = new URL(url).searchParams.get(name);
              if (value) sensitive.add(value);
            }
          }
          for (const cookie of hop.setCookies) {
            const value = cookie.split(';')[0]?.split('=').slice(1).join('=');
            if (value && value.length >= 8) sensitive.add(value);
          }
        },
      });

    beforeAll(async () => {
      stack = await startLocalStack({ env: {}, port: 0, logger: log.logger, handlerEnv: { TWENTYTHREE_TIMEOUT_MS: '500' } });
    });

    afterAll(async () => {
      await stack.close();
    });

    const site = (path: string) => `${stack.siteUrl}${path}`;
    const hostOf = (hop: Hop) => new URL(hop.url).origin;

    it('signs alice in: site → bridge → provider sign-in → callback → redeem → the protected page shows her', async () => {
      const browser = browserOf();
      const revokedBefore = stack.oidc!.revokedTokens.length;

      const journey = await signIn(browser, site('/'), 'alice');

      expect(stack.openUrl).toBe(`${stack.siteUrl}/`);
      expect(journey.toSignIn.hops.map(hostOf)).toEqual([stack.siteUrl, stack.bridgeUrl, stack.issuer, stack.issuer]);
      expect(journey.toSignIn.hops[1]!.url).toBe(`${stack.bridgeUrl}/login?return_url=%2F`);
      expect(journey.afterSubmit.hops.map((h) => `${h.status} ${new URL(h.url).origin}${new URL(h.url).pathname}`)).toEqual([
        expect.stringMatching(new RegExp(`^303 ${stack.issuer}/interaction/[^/]+/login$`)),
        expect.stringMatching(new RegExp(`^303 ${stack.issuer}/oauth2/authorize/`)),
        `302 ${stack.bridgeUrl}/callback`,
        `302 ${stack.siteUrl}/api/session/redeem-token`,
        `200 ${stack.siteUrl}/`,
      ]);
      expect(pageText(journey.afterSubmit.final.body)).toContain('Signed in as Alice Example (alice@example.com)');
      expect(stack.sandbox!.lastGetToken?.params).toMatchObject({ return_url: '/', email: 'alice@example.com', full_name: 'Alice Example' });
      // The bridge keeps no session: it revokes the refresh token the code exchange gave it.
      expect(stack.oidc!.revokedTokens.slice(revokedBefore)).toEqual([{ accountId: ALICE, clientId: 'local-bridge-client' }]);
    });

    it('reads every secret from the local Secrets Manager by ARN, and caches them', async () => {
      expect(stack.handlerEnv.TWENTYTHREE_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
      expect(stack.handlerEnv.OIDC_CLIENT_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
      expect(stack.handlerEnv.STATE_KEY_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
      const calls = stack.secrets.getSecretValueCalls;

      await signIn(browserOf(), site('/'), 'alice');

      expect(calls).toBeGreaterThanOrEqual(3);
      expect(stack.secrets.getSecretValueCalls).toBe(calls);
    });

    it('signs bob in without an e-mail, because his e-mail is not verified', async () => {
      const journey = await signIn(browserOf(), site('/'), 'bob');

      expect(pageText(journey.afterSubmit.final.body)).toContain('Signed in as Bob Unverified (no e-mail)');
      expect(stack.sandbox!.lastGetToken?.params).not.toHaveProperty('email');
      expect(stack.sandbox!.lastGetToken?.params.full_name).toBe('Bob Unverified');
    });

    it('signs carol in without a name, and dana with her accented, quoted, bracketed name', async () => {
      const carol = await signIn(browserOf(), site('/'), 'carol');
      const carolParams = stack.sandbox!.lastGetToken?.params;
      const dana = await signIn(browserOf(), site('/'), 'dana');

      expect(pageText(carol.afterSubmit.final.body)).toContain('(carol@example.com)');
      expect(carolParams).not.toHaveProperty('full_name');
      expect(pageText(dana.afterSubmit.final.body)).toContain("Signed in as Dana Zoë O'Brien (QA) (dana@example.org)");
    });

    it('brings the person back to the page they asked for: return_url survives the round trip', async () => {
      const journey = await signIn(browserOf(), site('/v/42-intro?autoplay=1&t=30s&q=a%20b%26c'), 'alice');

      expect(journey.afterSubmit.final.url).toBe(site('/v/42-intro?autoplay=1&t=30s&q=a%20b%26c'));
      expect(journey.afterSubmit.final.status).toBe(200);
      expect(stack.sandbox!.lastGetToken?.params.return_url).toBe('/v/42-intro?autoplay=1&t=30s&q=a%20b%26c');
    });

    it('refuses a callback whose state was tampered with, before asking TwentyThree', async () => {
      const browser = browserOf();
      const callback = new URL(await signInUpToCallback(browser, site('/'), stack.bridgeUrl, 'alice'));
      const calls = stack.sandbox!.getTokenCalls;
      const state = callback.searchParams.get('state') ?? '';
      callback.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);

      const hop = await browser.request(callback.href);

      expect(hop.status).toBe(400);
      expect(pageText(hop.body)).toContain('This sign-in attempt is no longer valid');
      expect(hop.location).toBeUndefined();
      expect(stack.sandbox!.getTokenCalls).toBe(calls);
    });

    it('refuses a callback whose state cookie was tampered with', async () => {
      const browser = browserOf();
      const callback = await signInUpToCallback(browser, site('/'), stack.bridgeUrl, 'alice');
      const [cookie] = (await browser.jar.getCookies(callback)).filter((c) => c.key.startsWith('t23sso_'));
      const value = cookie!.value;
      const flipped = `${value.slice(0, 40)}${value[40] === 'x' ? 'y' : 'x'}${value.slice(41)}`;
      await browser.jar.setCookie(`${cookie!.key}=${flipped}; Path=/callback`, callback);

      const hop = await browser.request(callback);

      expect(hop.status).toBe(400);
      expect(pageText(hop.body)).toMatch(/Error: state_invalid/);
    });

    it('refuses a replayed callback: without the spent state cookie, and even with it (the code is single-use)', async () => {
      const browser = browserOf();
      const callback = await signInUpToCallback(browser, site('/'), stack.bridgeUrl, 'alice');
      const [cookie] = (await browser.jar.getCookies(callback)).filter((c) => c.key.startsWith('t23sso_'));
      const first = await browser.request(callback);
      const calls = stack.sandbox!.getTokenCalls;

      const replay = await browser.request(callback);
      await browser.jar.setCookie(`${cookie!.key}=${cookie!.value}; Path=/callback`, callback);
      const replayWithCookie = await browser.request(callback);

      expect(first.status).toBe(302);
      expect(first.setCookies.some((c) => c.startsWith(`${cookie!.key}=;`) || /Max-Age=0/i.test(c))).toBe(true);
      expect(replay.status).toBe(400);
      expect(pageText(replay.body)).toContain('Error: state_missing');
      expect(replayWithCookie.status).toBe(400);
      expect(pageText(replayWithCookie.body)).toContain('Error: code_invalid');
      expect(stack.sandbox!.getTokenCalls).toBe(calls);
    });

    it('refuses a consumed session token at redeem-token', async () => {
      const browser = browserOf();
      const journey = await signIn(browser, site('/'), 'alice');
      const redeem = journey.afterSubmit.hops.find((h) => h.url.includes('/api/session/redeem-token'))!;

      const again = await browserOf().request(redeem.url);

      expect(again.status).toBe(403);
      expect(again.setCookies).toEqual([]);
      expect(pageText(again.body)).toContain('already been used');
    });

    it("shows a 502 page with a request id, and no redirect, when TwentyThree answers an error as HTTP 200", async () => {
      const browser = browserOf();
      const callback = await signInUpToCallback(browser, site('/'), stack.bridgeUrl, 'alice');
      stack.sandbox!.failNext({ code: 'permission_denied', message: 'Simulated permission problem.' });

      const hop = await browser.request(callback);

      expect(hop.status).toBe(502);
      expect(hop.location).toBeUndefined();
      expect(pageText(hop.body)).toContain('The video site did not accept the sign-in.');
      expect(pageText(hop.body)).toContain('Error: twentythree_permission_denied');
      expect(pageText(hop.body)).toMatch(/Request id: \S+/);
      expect(stack.sandbox!.lastGetToken?.outcome).toBe('permission_denied');
    });

    it('shows a 504 page within the configured timeout when TwentyThree hangs', async () => {
      const browser = browserOf();
      const callback = await signInUpToCallback(browser, site('/'), stack.bridgeUrl, 'alice');
      stack.sandbox!.failNext('hang');

      const hop = await browser.request(callback, { timeoutMs: 5000 });

      expect(hop.status).toBe(504);
      expect(pageText(hop.body)).toContain('The video site did not answer in time.');
      expect(stack.sandbox!.lastGetToken?.outcome).toBe('hang');
    }, 10_000);

    it('shows a 403 page when the person cancels at the provider', async () => {
      const browser = browserOf();
      const toSignIn = await browser.follow(site('/'));

      const cancelled = await browser.submit(findForm(toSignIn.final, /\/abort$/));

      expect(cancelled.final.url).toMatch(new RegExp(`^${stack.bridgeUrl}/callback\\?`));
      expect(cancelled.final.status).toBe(403);
      expect(pageText(cancelled.final.body)).toContain('Sign-in was cancelled or refused by the identity provider.');
    });

    it('lets two tabs of one browser sign in at the same time', async () => {
      const browser = browserOf();
      const first = await signInUpToCallback(browser, site('/v/first'), stack.bridgeUrl, 'alice');
      // The provider session now exists, so the second tab passes the provider without a form.
      const second = await browser.follow(site('/v/second'), { stopBefore: (url) => url.href.startsWith(`${stack.bridgeUrl}/callback`) });

      const secondDone = await browser.follow(second.final.location!);
      const firstDone = await browser.follow(first);

      expect(secondDone.final.url).toBe(site('/v/second'));
      expect(firstDone.final.url).toBe(site('/v/first'));
      expect(pageText(firstDone.final.body)).toContain('Alice Example');
    });

    it('ends the provider session on logout and returns to the site, which then asks for a new sign-in', async () => {
      const browser = browserOf();
      const signedIn = await signIn(browser, site('/'), 'alice');
      const ended = stack.oidc!.endedSessions;
      const signOut = findLink(signedIn.afterSubmit.final, 'sign-out');

      const toProvider = await browser.follow(signOut);
      const back = await submitAutoForm(browser, toProvider.final, /\/logout\/confirm$/);

      expect(toProvider.hops.map((h) => `${h.status} ${new URL(h.url).origin}${new URL(h.url).pathname}`)).toEqual([
        `302 ${stack.siteUrl}/logout`,
        `302 ${stack.bridgeUrl}/logout`,
        `200 ${stack.issuer}/logout`,
      ]);
      expect(back.hops[0]!.location).toBe(site('/'));
      expect(stack.oidc!.endedSessions).toBe(ended + 1);
      // Signed out everywhere: the site sends the visitor to sign in, and the provider asks for the password again.
      expect(back.final.url).toMatch(new RegExp(`^${stack.issuer}/interaction/`));
      expect(findForm(back.final, /\/login$/).fields).toHaveProperty('password');
    });

    it('answers unknown bridge paths with API Gateway’s own 404', async () => {
      const hop = await browserOf().request(`${stack.bridgeUrl}/admin`);

      expect(hop.status).toBe(404);
      expect(JSON.parse(hop.body)).toEqual({ message: 'Not Found' });
    });

    it('never logs a code, state, session token or cookie value', () => {
      // Runs last in this block: every value the flows above produced must be absent from every log line.
      const joined = log.lines.join('\n');

      expect(log.lines.length).toBeGreaterThan(10);
      expect(sensitive.size).toBeGreaterThan(30);
      expect([...sensitive].filter((value) => joined.includes(value))).toEqual([]);
    });
  });

  describe('with plain OIDC discovery and an access policy from the environment', () => {
    let stack: LocalStack;

    beforeAll(async () => {
      stack = await startLocalStack({ env: { ALLOWED_GROUPS: 'admins' }, port: 0, logger: captureLogger().logger, cognitoDomain: false });
    });

    afterAll(async () => {
      await stack.close();
    });

    it('admits dana (group "admins") and refuses alice with a 403 page offering to switch accounts', async () => {
      const dana = await signIn(new HttpSession(), `${stack.siteUrl}/`, 'dana');
      const alice = await signIn(new HttpSession(), `${stack.siteUrl}/`, 'alice');

      expect(stack.handlerEnv).not.toHaveProperty('COGNITO_DOMAIN_URL');
      expect(pageText(dana.afterSubmit.final.body)).toContain("Signed in as Dana Zoë O'Brien (QA)");
      expect(alice.afterSubmit.final.status).toBe(403);
      expect(pageText(alice.afterSubmit.final.body)).toContain('Sign out and use another account');
    });

    it('logs out through the standard end-session endpoint (post_logout_redirect_uri)', async () => {
      const browser = new HttpSession();
      await signIn(browser, `${stack.siteUrl}/`, 'dana');
      const ended = stack.oidc!.endedSessions;

      const toProvider = await browser.follow(`${stack.bridgeUrl}/logout`);
      const back = await submitAutoForm(browser, toProvider.final, /\/logout\/confirm$/, { stopBefore: (url) => url.origin === stack.siteUrl });

      expect(new URL(toProvider.hops[0]!.location!).searchParams.get('post_logout_redirect_uri')).toBe(`${stack.siteUrl}/`);
      expect(back.final.location).toBe(`${stack.siteUrl}/`);
      expect(stack.oidc!.endedSessions).toBe(ended + 1);
    });
  });
});

/** The absolute URL of the link with this id on a page. */
function findLink(hop: Hop, id: string): string {
  const match = new RegExp(`<a\\b[^>]*\\bid="${id}"[^>]*\\bhref="([^"]+)"|<a\\b[^>]*\\bhref="([^"]+)"[^>]*\\bid="${id}"`).exec(hop.body);
  const href = match?.[1] ?? match?.[2];
  if (!href) throw new Error(`no link #${id} on ${hop.url}`);
  return new URL(href.replace(/&amp;/g, '&'), hop.url).href;
}
