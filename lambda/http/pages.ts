// Small, self-contained HTML pages for the few times a visitor sees the bridge (errors, 404).
// Every dynamic value is escaped; the only style is inline and allowed by its CSP hash.
import { createHash } from 'node:crypto';

const STYLE =
  'body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}' +
  'main{max-width:34rem;margin:12vh auto;padding:2rem 2.25rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.35rem;margin:0 0 .75rem}p{margin:.5rem 0}a{color:#0b5fff}' +
  '.meta{margin-top:1.5rem;font-size:.8rem;color:#667085;word-break:break-all}';

/** CSP source for the inline style above (`style-src 'sha256-…'`), so no 'unsafe-inline' is needed. */
export const STYLE_CSP_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

export interface PageContent {
  readonly title: string;
  readonly message: string;
  /** Shown so a visitor can quote it to support; it matches the log lines of this request. */
  readonly requestId?: string;
  /** Shown small under the request id (e.g. an error code), never a secret. */
  readonly code?: string;
  readonly links?: readonly PageLink[];
}

export function renderPage(content: PageContent): string {
  const links = (content.links ?? []).map((l) => `<p><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></p>`).join('');
  const meta = [content.code && `Error: ${escapeHtml(content.code)}`, content.requestId && `Request id: ${escapeHtml(content.requestId)}`]
    .filter(Boolean)
    .join('<br>');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${escapeHtml(content.title)}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(content.title)}</h1><p>${escapeHtml(content.message)}</p>${links}` +
    (meta ? `<p class="meta">${meta}</p>` : '') +
    '</main></body></html>'
  );
}
