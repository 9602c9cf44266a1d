// Sign-in journeys through a running local stack, hop by hop, as a browser without JavaScript would do
// them: open a site page, follow the bridge to the provider's sign-in form, submit it, follow back.
import { DEMO_PASSWORD } from '../../local/demo-users.js';
import { HttpSession, findForm, type Hop, type Journey } from './http-session.js';

export interface SignInJourney {
  /** From the site page to the provider's sign-in form. */
  readonly toSignIn: Journey;
  /** From submitting the form to the last page. */
  readonly afterSubmit: Journey;
  /** The bridge's /callback hop (its URL carries code and state). */
  readonly callback: Hop | undefined;
}

/** Opens `pageUrl` and signs in as `username` on the sign-in form it leads to. */
export async function signIn(browser: HttpSession, pageUrl: string, username: string, options: { stopBefore?: (url: URL) => boolean } = {}): Promise<SignInJourney> {
  const toSignIn = await browser.follow(pageUrl);
  const form = findForm(toSignIn.final, /\/interaction\/[^/]+\/login$/);
  const afterSubmit = await browser.submit(form, { username, password: DEMO_PASSWORD }, options);
  return { toSignIn, afterSubmit, callback: afterSubmit.hops.find((h) => new URL(h.url).pathname === '/callback') };
}

/**
 * Opens `pageUrl`, signs in, and stops right before the browser would call the bridge's /callback:
 * returns that callback URL, so a test can tamper with it or replay it.
 */
export async function signInUpToCallback(browser: HttpSession, pageUrl: string, bridgeUrl: string, username: string): Promise<string> {
  const journey = await signIn(browser, pageUrl, username, { stopBefore: (url) => url.href.startsWith(`${bridgeUrl}/callback`) });
  const location = journey.afterSubmit.final.location;
  if (location === undefined || !location.startsWith(`${bridgeUrl}/callback`)) {
    throw new Error(`the provider did not redirect to the callback (last hop ${journey.afterSubmit.final.status} ${journey.afterSubmit.final.url})`);
  }
  return location;
}

/** Follows an auto-submitting page (the provider's sign-out step) the way a browser's script would. */
export async function submitAutoForm(browser: HttpSession, page: Hop, actionPattern: RegExp, options: { stopBefore?: (url: URL) => boolean } = {}): Promise<Journey> {
  return browser.submit(findForm(page, actionPattern), {}, options);
}
