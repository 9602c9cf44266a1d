// The embedded OpenID provider's own pages: sign-in, the auto-submitting sign-out step, and errors.
// Self-contained (no external assets); every dynamic value is escaped; the inline style and script are
// allowed by hash in each page's Content-Security-Policy.
import { createHash } from 'node:crypto';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.js';

const STYLE =
  'body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#eef1f5;color:#1d2330}' +
  'main{max-width:24rem;margin:10vh auto;padding:2rem 2.25rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.35rem;margin:0 0 .25rem}.sub{margin:0 0 1.25rem;color:#667085;font-size:.9rem}' +
  'label{display:block;font-size:.9rem;font-weight:600;margin:.75rem 0 .25rem}' +
  'input{box-sizing:border-box;width:100%;padding:.55rem .7rem;font:inherit;border:1px solid #c4cad4;border-radius:8px}' +
  'button{margin-top:1.25rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#0b5fff;border:0;border-radius:8px;cursor:pointer}' +
  'button.link{margin-top:.5rem;background:none;color:#667085;font-weight:400;font-size:.9rem}' +
  '.error{margin:0 0 .5rem;padding:.5rem .75rem;background:#fdecec;color:#a4161a;border-radius:8px;font-size:.9rem}' +
  '.hint{margin-top:1.5rem;font-size:.8rem;color:#667085}.hint code{color:#1d2330;white-space:nowrap}';

const AUTO_SUBMIT = "document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()});";

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

// No form-action: after the form posts, the provider redirects to the bridge or the site on another port,
// and browsers apply form-action to those redirects too.
export const PAGE_CSP = `default-src 'none'; style-src ${sha(STYLE)}; script-src ${sha(AUTO_SUBMIT)}; base-uri 'none'; frame-ancestors 'none'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function layout(title: string, main: string, script = ''): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style>${script ? `<script>${script}</script>` : ''}</head>` +
    `<body><main>${main}</main></body></html>`
  );
}

export interface SignInPage {
  /** Where the form posts (the interaction's login URL). */
  readonly action: string;
  /** Where "Cancel" posts (answers the client with error=access_denied). */
  readonly abortAction: string;
  /** Shown as "to continue to …". */
  readonly clientName: string;
  /** Re-filled after a failed attempt. */
  readonly username?: string;
  readonly error?: string;
}

export function renderSignInPage(page: SignInPage): string {
  const users = DEMO_USERS.map((u) => `<code>${escapeHtml(u.username)}</code>`).join(', ');
  return layout(
    'Sign in',
    '<h1>Sign in</h1>' +
      `<p class="sub">to continue to ${escapeHtml(page.clientName)} · local identity provider</p>` +
      (page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : '') +
      `<form method="post" action="${escapeHtml(page.action)}" autocomplete="off">` +
      '<label for="username">Username or e-mail</label>' +
      `<input id="username" name="username" required autofocus value="${escapeHtml(page.username ?? '')}">` +
      '<label for="password">Password</label>' +
      '<input id="password" name="password" type="password" required>' +
      '<button type="submit">Sign in</button></form>' +
      `<form method="post" action="${escapeHtml(page.abortAction)}"><button class="link" type="submit">Cancel</button></form>` +
      `<p class="hint">Demo users: ${users} · password <code>${escapeHtml(DEMO_PASSWORD)}</code></p>`,
  );
}

/**
 * The sign-out step. oidc-provider asks for a confirmation by default; Cognito's /logout does not,
 * so this page posts the confirmation itself (with a button for browsers without JavaScript).
 */
export function renderSignOutPage(formHtml: string): string {
  // oidc-provider's form carries the xsrf value; `logout=yes` ends the whole session, as Cognito does.
  const form = formHtml.replace('</form>', '<input type="hidden" name="logout" value="yes"><noscript><button type="submit">Sign out</button></noscript></form>');
  return layout('Signing out', `<h1>Signing out…</h1>${form}`, AUTO_SUBMIT);
}

export function renderMessagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
