// GET /login?return_url=… — starts the OpenID Connect code flow (PKCE, state, nonce in a sealed cookie).
import { resolveReturnUrl } from '../auth/return-url.js';
import type { OidcClient } from '../auth/oidc.js';
import type { createStateCookies } from '../auth/state-cookie.js';
import type { RouteInput } from '../http/request.js';
import { redirect, type HttpResult } from '../http/responses.js';

type StateCookies = ReturnType<typeof createStateCookies>;

export interface LoginDeps {
  readonly siteOrigin: string;
  readonly returnUrlHosts: readonly string[];
  readonly oidc: Pick<OidcClient, 'newFlow' | 'authorizationUrl'>;
  readonly stateCookies: () => Promise<StateCookies>;
}

export async function login(input: RouteInput, deps: LoginDeps): Promise<HttpResult> {
  // The return URL is vetted now, sealed into the cookie, and only this vetted value reaches TwentyThree.
  const returnUrl = resolveReturnUrl(input.query.get('return_url') ?? undefined, {
    siteOrigin: deps.siteOrigin,
    extraHosts: deps.returnUrlHosts,
  });
  const flow = deps.oidc.newFlow(returnUrl);
  const [stateCookies, authorizationUrl] = await Promise.all([deps.stateCookies(), deps.oidc.authorizationUrl(flow)]);
  return redirect(authorizationUrl, [...stateCookies.prune(input.cookies), await stateCookies.issue(flow)]);
}
