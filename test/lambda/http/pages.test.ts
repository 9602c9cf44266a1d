import { createHash } from 'node:crypto';
import { escapeHtml, renderPage, STYLE_CSP_SOURCE } from '../../../lambda/http/pages.js';

describe('Function: renderPage', () => {
  it('escapes every dynamic value, so a crafted error code or link cannot inject markup', () => {
    const html = renderPage({
      title: '<script>alert(1)</script>',
      message: 'a "quoted" & <b>bold</b> message',
      code: "x'><img src=x onerror=alert(1)>",
      requestId: '<id>',
      links: [{ href: '/logout?"><script>', label: '<Sign out>' }],
    });
    expect(html).not.toMatch(/<script>|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('href="/logout?&quot;&gt;&lt;script&gt;"');
    expect(html).toContain('Request id: &lt;id&gt;');
  });

  it('carries a CSP hash that matches its inline style exactly', () => {
    const style = /<style>(.*?)<\/style>/.exec(renderPage({ title: 't', message: 'm' }))?.[1] ?? '';
    expect(STYLE_CSP_SOURCE).toBe(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });
});

describe('Function: escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
