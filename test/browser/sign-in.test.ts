// The sign-in a person actually sees, in headless Chromium (Debian's `chromium`, driven by playwright-core):
// a protected sandbox page sends them through the bridge to the provider's sign-in page; they type the demo
// credentials, land on the page they asked for signed in by name, then sign out. Each step is saved as a
// screenshot in artifacts/browser/ (git-ignored) for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../local/demo-users.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { captureLogger } from '../support/capture-logger.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL_HINT = 'install Chromium with `apt-get install -y chromium` to run it';
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/browser/', import.meta.url));
const available = existsSync(CHROMIUM);
// CI (.ci/run) sets REQUIRE_BROWSER_TEST=1: there a missing browser is a failure, never a skip.
const required = process.env.REQUIRE_BROWSER_TEST === '1';

if (!available && !required) console.warn(`browser test skipped: ${INSTALL_HINT}`);

(available || required ? describe : describe.skip)('Browser: signing in through the local stack in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;

  beforeAll(async () => {
    if (!available) throw new Error(`REQUIRE_BROWSER_TEST=1 but there is no Chromium at ${CHROMIUM}: ${INSTALL_HINT}.`);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startLocalStack({ env: {}, port: 0, logger: captureLogger().logger });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The network here is closed: without the background-networking flags Chromium keeps trying Google's hosts.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const shoot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

  it('takes a person from a protected page through sign-in back to that page, signed in by name, then signs them out', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const protectedPage = `${stack.siteUrl}/v/welcome-tour`;
    const ended = stack.oidc!.endedSessions;
    try {
      // 1. The protected page sends them to the bridge, which sends them to the provider's sign-in page.
      await page.goto(protectedPage);
      await page.waitForURL(new RegExp(`^${stack.issuer}/interaction/`));
      await expectVisible(page, 'h1', 'Sign in');
      await shoot(page, '01-sign-in-page');

      // 2. They type the demo credentials.
      await page.fill('#username', 'alice');
      await page.fill('#password', DEMO_PASSWORD);
      await shoot(page, '02-credentials-typed');

      // 3. They end on the page they asked for, signed in by name.
      await page.click('button[type=submit]:has-text("Sign in")');
      await page.waitForURL(protectedPage);
      expect(await page.textContent('#signed-in')).toBe('Signed in as Alice Example (alice@example.com)');
      await shoot(page, '03-signed-in');

      // 4. Signing out ends the site's and the provider's sessions: the site then asks for a new sign-in.
      await page.click('#sign-out');
      await page.waitForURL(new RegExp(`^${stack.issuer}/interaction/`));
      await expectVisible(page, 'h1', 'Sign in');
      expect(await page.inputValue('#username')).toBe('');
      expect(stack.oidc!.endedSessions).toBe(ended + 1);
      await shoot(page, '04-signed-out');
    } catch (error) {
      await shoot(page, 'failure').catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }, 60_000);
});

async function expectVisible(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForSelector(`${selector}:has-text("${text}")`, { state: 'visible', timeout: 10_000 });
}
