// GET /logout — ends the provider session (Cognito /logout) and returns the visitor to the site.
import type { OidcClient } from '../auth/oidc.js';
import { redirect, type HttpResult } from '../http/responses.js';

export interface LogoutDeps {
  readonly siteOrigin: string;
  readonly oidc: Pick<OidcClient, 'logoutUrl'>;
}

export async function logout(deps: LogoutDeps): Promise<HttpResult> {
  // Always the configured site: a logout link must never become an open redirect.
  return redirect(await deps.oidc.logoutUrl(`${deps.siteOrigin}/`));
}
