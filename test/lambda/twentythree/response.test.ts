// Reading get-token answers in every envelope TwentyThree uses, and refusing what is none of them.
import { readGetTokenAnswer } from '../../../lambda/twentythree/response.js';

describe('Function: readGetTokenAnswer', () => {
  it('reads the documented XML answer', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<response status="ok" permission_level="super"
  message="The session access token is ready to use" cached="0">
  <access_token>sdkjhflsd6f87aysdukgs87dfgkjsdfgkjshdkfjghskjldfg978sdhkgj</access_token>
  <return_url>/</return_url>
</response>`;
    expect(readGetTokenAnswer(xml)).toEqual({
      envelope: 'xml',
      status: 'ok',
      code: undefined,
      message: 'The session access token is ready to use',
      accessToken: 'sdkjhflsd6f87aysdukgs87dfgkjsdfgkjshdkfjghskjldfg978sdhkgj',
    });
  });

  it('reads an XML error with its code and message, entities decoded, even with `>` inside an attribute', () => {
    const answer = readGetTokenAnswer(`<response status="error" code="permission_denied" message="Level &apos;admin&apos; > &quot;super&quot;? No"/>`);
    expect(answer).toMatchObject({ envelope: 'xml', status: 'error', code: 'permission_denied', message: `Level 'admin' > "super"? No`, accessToken: undefined });
  });

  it('reads an XML token in CDATA and with character references', () => {
    expect(readGetTokenAnswer('<response status="ok"><access_token><![CDATA[ab<c]]></access_token></response>')?.accessToken).toBe('ab<c');
    expect(readGetTokenAnswer('<response status="ok"><access_token>a&#x62;&#99;&amp;</access_token></response>')?.accessToken).toBe('abc&');
  });

  it('reads the bare JSON answer (`sessiontoken`)', () => {
    const json = JSON.stringify({ status: 'ok', message: 'ready', sessiontoken: { access_token: 'tok', return_url: '/' }, p: '1' });
    expect(readGetTokenAnswer(json)).toEqual({ envelope: 'json', status: 'ok', code: undefined, message: 'ready', accessToken: 'tok' });
  });

  it('reads JSON wrapped in `var visual = …;`', () => {
    const answer = readGetTokenAnswer('var visual = {"status":"ok","sessiontoken":{"access_token":"tok"}};\n');
    expect(answer).toMatchObject({ envelope: 'visual', status: 'ok', accessToken: 'tok' });
    expect(readGetTokenAnswer('var visual = {"status":"error","code":"invalid_signature","message":"The API signature is invalid."}')).toMatchObject({
      status: 'error',
      code: 'invalid_signature',
    });
  });

  it('reads the v2 `data` envelope', () => {
    const answer = readGetTokenAnswer(JSON.stringify({ status: 'ok', data: { access_token: 'tok2', return_url: '/', email: null, full_name: null } }));
    expect(answer).toMatchObject({ envelope: 'v2', status: 'ok', accessToken: 'tok2' });
  });

  it('reports an ok answer with an empty or blank token as having no token', () => {
    expect(readGetTokenAnswer('{"status":"ok","sessiontoken":{"access_token":""}}')?.accessToken).toBeUndefined();
    expect(readGetTokenAnswer('{"status":"ok","data":{"access_token":"   "}}')?.accessToken).toBeUndefined();
    expect(readGetTokenAnswer('<response status="ok"><access_token> </access_token></response>')?.accessToken).toBeUndefined();
    expect(readGetTokenAnswer('{"status":"ok","sessiontoken":{"access_token":42}}')?.accessToken).toBeUndefined();
  });

  it('recognises nothing in an HTML page, truncated JSON, a JSON array or an empty body', () => {
    expect(readGetTokenAnswer('<html><body>502 Bad Gateway</body></html>')).toBeUndefined();
    expect(readGetTokenAnswer('{"status":"ok","sessiontoken":{"access_')).toBeUndefined();
    expect(readGetTokenAnswer('[{"status":"ok"}]')).toBeUndefined();
    expect(readGetTokenAnswer('')).toBeUndefined();
  });

  it('ignores a byte-order mark and surrounding whitespace', () => {
    expect(readGetTokenAnswer('\uFEFF  {"status":"ok","sessiontoken":{"access_token":"t"}}\n')?.accessToken).toBe('t');
  });
});
