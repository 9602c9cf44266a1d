// Reads a get-token answer in any of TwentyThree's envelopes: XML (the default), bare JSON (`sessiontoken`),
// JSON wrapped in `var visual = …;` and the v2 API's `data`. Pure; the client decides what counts as success.

export interface GetTokenAnswer {
  /** Which envelope was recognised. */
  readonly envelope: 'xml' | 'json' | 'visual' | 'v2';
  /** The `status` attribute/field (`ok`, `error`, …); undefined when absent. */
  readonly status: string | undefined;
  /** TwentyThree's error code, when it sent one. */
  readonly code: string | undefined;
  /** TwentyThree's human message, when it sent one. */
  readonly message: string | undefined;
  /** The access token, trimmed; undefined when absent or empty. */
  readonly accessToken: string | undefined;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return safeCodePoint(parseInt(entity.slice(2), 16)) ?? whole;
    if (entity.startsWith('#')) return safeCodePoint(parseInt(entity.slice(1), 10)) ?? whole;
    return XML_ENTITIES[entity] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

function attributes(tag: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of tag.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const name = match[1];
    if (name !== undefined && !result.has(name)) result.set(name, decodeXmlText(match[2] ?? match[3] ?? ''));
  }
  return result;
}

function elementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`).exec(xml);
  if (match === null) return undefined;
  const inner = (match[1] ?? '').trim();
  const cdata = /^<!\[CDATA\[([\s\S]*?)\]\]>$/.exec(inner);
  return cdata !== null ? (cdata[1] ?? '') : decodeXmlText(inner);
}

function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function stringField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function readXml(body: string): GetTokenAnswer | undefined {
  // The root element is <response …> (possibly after an XML declaration); a self-closing one carries only attributes.
  // Attribute values may contain `>`, so the tag is matched attribute by attribute.
  const root = /<response((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(body);
  if (root === null) return undefined;
  const attrs = attributes(root[1] ?? '');
  const selfClosing = root[2] === '/';
  return {
    envelope: 'xml',
    status: attrs.get('status'),
    code: attrs.get('code'),
    message: attrs.get('message'),
    accessToken: selfClosing ? undefined : nonEmpty(elementText(body.slice(root.index), 'access_token')),
  };
}

function readJson(body: string, envelope: 'json' | 'visual'): GetTokenAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const json = value as Record<string, unknown>;
  const session = json.sessiontoken;
  const data = json.data;
  const fromSession = session !== null && typeof session === 'object' ? nonEmpty((session as Record<string, unknown>).access_token) : undefined;
  const fromData = data !== null && typeof data === 'object' ? nonEmpty((data as Record<string, unknown>).access_token) : undefined;
  return {
    envelope: fromSession === undefined && data !== undefined && session === undefined ? 'v2' : envelope,
    status: stringField(json.status),
    code: stringField(json.code),
    message: stringField(json.message),
    accessToken: fromSession ?? fromData,
  };
}

/** Recognises the envelope and pulls out status, code, message and token; undefined when it is none of them. */
export function readGetTokenAnswer(body: string): GetTokenAnswer | undefined {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text.startsWith('<')) return readXml(text);
  if (text.startsWith('{')) return readJson(text, 'json');
  // `format=json` without `raw`: `var visual = {…};` (a JavaScript assignment around the same JSON).
  const visual = /^var\s+visual\s*=\s*([\s\S]*?)\s*;?\s*$/.exec(text);
  if (visual !== null) return readJson(visual[1] ?? '', 'visual');
  return undefined;
}
