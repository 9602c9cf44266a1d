// A scripted "browser" for integration tests: fetch with a tough-cookie jar and manual redirects, so a
// test can follow every hop of a sign-in (and look at each one), submit HTML forms, and replay requests.
import { CookieJar } from 'tough-cookie';

export interface Hop {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** The absolute redirect target, for 3xx answers. */
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
  readonly body: string;
}

export interface FollowOptions {
  /** Stop before requesting a URL for which this returns true (the hop that redirected there is the last). */
  readonly stopBefore?: (url: URL) => boolean;
  /** Default 20. */
  readonly maxHops?: number;
}

export interface Journey {
  readonly hops: readonly Hop[];
  /** The last answer (not a redirect, unless `stopBefore` stopped the walk). */
  readonly final: Hop;
}

export interface HtmlForm {
  readonly action: string;
  readonly method: string;
  readonly fields: Record<string, string>;
}

export class HttpSession {
  readonly jar = new CookieJar();
  readonly #onHop: ((hop: Hop) => void) | undefined;

  /** `onHop` sees every answer (e.g. to collect the codes and tokens that must never be logged). */
  constructor(options: { onHop?: (hop: Hop) => void } = {}) {
    this.#onHop = options.onHop;
  }

  /** One request: the jar's cookies go out, the answer's Set-Cookie headers come in; redirects are not followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Hop> {
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
    const setCookies = response.headers.getSetCookie();
    for (const value of setCookies) await this.jar.setCookie(value, url, { ignoreError: true });
    const location = response.headers.get('location');
    const hop: Hop = {
      method,
      url,
      status: response.status,
      headers: response.headers,
      location: location === null ? undefined : new URL(location, url).href,
      setCookies,
      body: await response.text(),
    };
    this.#onHop?.(hop);
    return hop;
  }

  /** Requests `url` and follows redirects hop by hop (303 and 301/302 after POST become GET). */
  async follow(url: string, options: FollowOptions & { method?: string; form?: Record<string, string> } = {}): Promise<Journey> {
    const hops: Hop[] = [];
    let next: { url: string; method?: string; form?: Record<string, string> } = { url, method: options.method, form: options.form };
    for (let i = 0; i < (options.maxHops ?? 20); i++) {
      const hop = await this.request(next.url, { method: next.method, form: next.form });
      hops.push(hop);
      if (hop.location === undefined || hop.status < 300 || hop.status >= 400) return { hops, final: hop };
      if (options.stopBefore?.(new URL(hop.location))) return { hops, final: hop };
      const keepMethod = hop.status === 307 || hop.status === 308;
      next = keepMethod ? { url: hop.location, method: next.method, form: next.form } : { url: hop.location };
    }
    throw new Error(`more than ${options.maxHops ?? 20} redirects starting at ${url}`);
  }

  /** Submits a form found in a page (fields may be overridden) and follows the redirects after it. */
  async submit(form: HtmlForm, values: Record<string, string> = {}, options: FollowOptions = {}): Promise<Journey> {
    const fields = { ...form.fields, ...values };
    if (form.method === 'GET') {
      const target = new URL(form.action);
      for (const [name, value] of Object.entries(fields)) target.searchParams.set(name, value);
      return this.follow(target.href, options);
    }
    return this.follow(form.action, { ...options, method: 'POST', form: fields });
  }

  /** Names of the cookies the jar would send to `url`. */
  async cookieNames(url: string): Promise<string[]> {
    return (await this.jar.getCookies(url)).map((c) => c.key);
  }
}

/** The forms of an HTML page: action (absolute), method and every named input's value. Enough for our own pages. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = match[1] ?? '';
    const inner = match[2] ?? '';
    const fields: Record<string, string> = {};
    for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attribute(input[1] ?? '', 'name');
      if (name !== undefined) fields[name] = attribute(input[1] ?? '', 'value') ?? '';
    }
    forms.push({
      action: new URL(attribute(attributes, 'action') ?? pageUrl, pageUrl).href,
      method: (attribute(attributes, 'method') ?? 'GET').toUpperCase(),
      fields,
    });
  }
  return forms;
}

/** The first form whose action matches, or an error that shows what the page was. */
export function findForm(hop: Hop, actionPattern: RegExp): HtmlForm {
  const form = parseForms(hop.body, hop.url).find((f) => actionPattern.test(f.action));
  if (!form) throw new Error(`no form with action ${actionPattern} on ${hop.url} (status ${hop.status}): ${hop.body.slice(0, 300)}`);
  return form;
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The visible text of an HTML page, for "shows the right person" assertions. */
export function pageText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|title)\b[\s\S]*?<\/\1>/gi, ' ')
      // Block-level tags separate words; inline ones (code, b, a, span…) do not.
      .replace(/<\/?(?:p|div|h[1-6]|br|li|ul|ol|main|form|label|button|input|section|header|footer|nav|tr|td|th|table)\b[^>]*>/gi, ' ')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}
