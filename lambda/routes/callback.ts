// GET /callback — the provider sends the browser back here: check state, exchange the code, verify
// the ID token, apply the access policy, get a TwentyThree session token and send the browser to redeem it.
import type { Logger } from '@aws-lambda-powertools/logger';
import { admit } from '../auth/access-policy.js';
import type { OidcClient } from '../auth/oidc.js';
import type { createStateCookies } from '../auth/state-cookie.js';
import type { AccessPolicy } from '../config.js';
import { IdentityProviderError, InvalidRequestError, StateError } from '../errors.js';
import type { RouteInput } from '../http/request.js';
import { redirect, type HttpResult } from '../http/responses.js';
import { withCookies } from '../middleware/error-pages.js';
import type { createTwentyThreeClient } from '../twentythree/client.js';

type StateCookies = ReturnType<typeof createStateCookies>;
type TwentyThreeClient = ReturnType<typeof createTwentyThreeClient>;

export interface CallbackDeps {
  readonly accessPolicy: AccessPolicy;
  readonly oidc: Pick<OidcClient, 'exchangeCode' | 'revoke'>;
  readonly stateCookies: () => Promise<StateCookies>;
  readonly twentyThree: Pick<TwentyThreeClient, 'getSessionToken' | 'redeemUrl'>;
  readonly logger: Logger;
}

export async function callback(input: RouteInput, deps: CallbackDeps): Promise<HttpResult> {
  const state = input.query.get('state');
  const stateCookies = await deps.stateCookies();
  // Whatever happens next, this attempt's cookie is spent: clear it on success and on failure.
  const clear = state ? clearCookie(stateCookies, state) : [];
  try {
    const idpError = input.query.get('error');
    if (idpError !== null) throw new IdentityProviderError(idpError);
    if (state === null) throw new StateError('state_missing', 'callback without a state parameter');
    // The state is checked against this browser's cookie before the code is ever sent to the provider (CSRF, login fixation).
    const flow = await stateCookies.open(input.cookies, state);
    if (!input.query.get('code')) throw new InvalidRequestError('code_missing', 'The sign-in answer was incomplete. Please start again.');

    const signIn = await deps.oidc.exchangeCode(input.query, flow);
    // The bridge keeps no session: the refresh token is revoked at once, alongside the TwentyThree call.
    const revoked = signIn.refreshToken === undefined ? Promise.resolve(true) : deps.oidc.revoke(signIn.refreshToken);
    try {
      const admission = admit(signIn.claims, deps.accessPolicy);
      const sessionToken = await deps.twentyThree.getSessionToken({ returnUrl: flow.returnUrl, ...admission });
      deps.logger.info('signed in', { sub: signIn.claims.sub, email_sent: admission.email !== undefined });
      return redirect(deps.twentyThree.redeemUrl(sessionToken), clear);
    } finally {
      if (!(await revoked)) deps.logger.warn('refresh token revocation failed; it expires on its own');
    }
  } catch (error) {
    throw withCookies(error, clear);
  }
}

function clearCookie(stateCookies: StateCookies, state: string): string[] {
  try {
    return [stateCookies.clear(state)];
  } catch {
    return []; // a malformed state names no cookie of ours
  }
}
