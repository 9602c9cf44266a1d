// Local mode's environment: PORT and the swaps for a real TwentyThree site or a real OpenID provider.
// A missing or malformed value must stop start-up with one clear sentence naming it.
import { LocalSettingsError, readLocalSettings } from '../../local/settings.js';

const REAL_SITE = {
  TWENTYTHREE_URL: 'https://videos.example.com',
  TWENTYTHREE_CONSUMER_KEY: 'ck',
  TWENTYTHREE_CONSUMER_SECRET: 'cs',
  TWENTYTHREE_ACCESS_TOKEN: 'at',
  TWENTYTHREE_ACCESS_TOKEN_SECRET: 'ats',
};

/** The error's message, asserting it is a LocalSettingsError of one sentence. */
function refusal(env: Record<string, string>): string {
  try {
    readLocalSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(LocalSettingsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^[A-Z][^\n]*\.$/);
    return message;
  }
  throw new Error('expected readLocalSettings to refuse this environment');
}

describe('Function: readLocalSettings', () => {
  it('runs everything embedded on port 3000 when nothing is set', () => {
    expect(readLocalSettings({})).toEqual({ port: 3000, twentyThree: undefined, oidc: undefined, handlerEnv: {} });
  });

  it('reads PORT', () => {
    expect(readLocalSettings({ PORT: '8080' }).port).toBe(8080);
    expect(readLocalSettings({ PORT: ' 4000 ' }).port).toBe(4000);
  });

  it.each(['abc', '0', '65536', '3000.5', '-1', '30 00', '0x10', '1e3'])('refuses PORT=%j with a sentence naming PORT', (port) => {
    expect(refusal({ PORT: port })).toBe(`PORT must be a whole number from 1 to 65535, got "${port}".`);
  });

  it('refuses PORT=65535 while the sandbox needs PORT+1, but accepts it with a real site', () => {
    expect(refusal({ PORT: '65535' })).toMatch(/^PORT must be at most 65534 while the TwentyThree sandbox runs/);
    expect(readLocalSettings({ PORT: '65535', ...REAL_SITE }).port).toBe(65535);
  });

  describe('TwentyThree swap', () => {
    it('uses a real site when all five TWENTYTHREE_* variables are set', () => {
      expect(readLocalSettings(REAL_SITE).twentyThree).toEqual({
        siteOrigin: 'https://videos.example.com',
        consumerKey: 'ck',
        consumerSecret: 'cs',
        accessToken: 'at',
        accessTokenSecret: 'ats',
      });
    });

    it('refuses a partial set and names every missing variable', () => {
      const { TWENTYTHREE_ACCESS_TOKEN: _a, TWENTYTHREE_ACCESS_TOKEN_SECRET: _b, ...partial } = REAL_SITE;

      expect(refusal(partial)).toBe(
        'To use a real TwentyThree site, set all five of TWENTYTHREE_URL, TWENTYTHREE_CONSUMER_KEY, TWENTYTHREE_CONSUMER_SECRET, ' +
          'TWENTYTHREE_ACCESS_TOKEN, TWENTYTHREE_ACCESS_TOKEN_SECRET (or none, for the sandbox); missing: TWENTYTHREE_ACCESS_TOKEN, TWENTYTHREE_ACCESS_TOKEN_SECRET.',
      );
    });

    it('treats a blank variable as missing', () => {
      expect(refusal({ ...REAL_SITE, TWENTYTHREE_CONSUMER_SECRET: '  ' })).toMatch(/missing: TWENTYTHREE_CONSUMER_SECRET\.$/);
    });

    it.each([
      ['plain http off loopback', 'http://videos.example.com', /^TWENTYTHREE_URL must be an https:\/\/ URL \(plain http is allowed only on localhost\)/],
      ['not a URL', 'videos.example.com', /^TWENTYTHREE_URL is not a URL/],
      ['a URL with a path', 'https://videos.example.com/videos', /^TWENTYTHREE_URL must be the site's origin only/],
    ])('refuses TWENTYTHREE_URL that is %s', (_label, url, message) => {
      expect(refusal({ ...REAL_SITE, TWENTYTHREE_URL: url })).toMatch(message);
    });

    it('accepts plain http on localhost and 127.0.0.1, for a local stand-in', () => {
      expect(readLocalSettings({ ...REAL_SITE, TWENTYTHREE_URL: 'http://localhost:8023' }).twentyThree?.siteOrigin).toBe('http://localhost:8023');
      expect(readLocalSettings({ ...REAL_SITE, TWENTYTHREE_URL: 'http://127.0.0.1:8023/' }).twentyThree?.siteOrigin).toBe('http://127.0.0.1:8023');
    });
  });

  describe('OpenID provider swap', () => {
    it('uses a real provider with OIDC_ISSUER and OIDC_CLIENT_ID, and the secret and Cognito domain when given', () => {
      const settings = readLocalSettings({
        OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/',
        OIDC_CLIENT_ID: 'client',
        OIDC_CLIENT_SECRET: 'secret',
        COGNITO_DOMAIN_URL: 'https://login.example.com',
      });

      expect(settings.oidc).toEqual({
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        clientId: 'client',
        clientSecret: 'secret',
        cognitoDomainUrl: 'https://login.example.com',
      });
    });

    it('uses a public client when OIDC_CLIENT_SECRET is not set', () => {
      expect(readLocalSettings({ OIDC_ISSUER: 'http://localhost:9000', OIDC_CLIENT_ID: 'client' }).oidc?.clientSecret).toBeUndefined();
    });

    it('refuses an issuer without a client id, and a client id without an issuer', () => {
      expect(refusal({ OIDC_ISSUER: 'https://idp.example.com' })).toMatch(/^To use a real OpenID provider, set both OIDC_ISSUER and OIDC_CLIENT_ID .*; missing: OIDC_CLIENT_ID\.$/);
      expect(refusal({ OIDC_CLIENT_ID: 'client' })).toMatch(/missing: OIDC_ISSUER\.$/);
    });

    it('refuses OIDC_CLIENT_SECRET or COGNITO_DOMAIN_URL without a real provider', () => {
      expect(refusal({ OIDC_CLIENT_SECRET: 'secret' })).toBe('OIDC_CLIENT_SECRET only applies to a real provider: set OIDC_ISSUER and OIDC_CLIENT_ID too, or unset it.');
      expect(refusal({ OIDC_CLIENT_SECRET: 'secret', COGNITO_DOMAIN_URL: 'https://login.example.com' })).toBe(
        'OIDC_CLIENT_SECRET and COGNITO_DOMAIN_URL only apply to a real provider: set OIDC_ISSUER and OIDC_CLIENT_ID too, or unset them.',
      );
    });

    it('refuses a plain-http issuer off loopback', () => {
      expect(refusal({ OIDC_ISSUER: 'http://idp.example.com', OIDC_CLIENT_ID: 'client' })).toMatch(/^OIDC_ISSUER must be an https:\/\/ URL/);
    });
  });

  it('passes the handler’s tuning variables through, and nothing that local mode sets itself', () => {
    const settings = readLocalSettings({
      ALLOWED_GROUPS: 'admins',
      TWENTYTHREE_TIMEOUT_MS: '800',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      TWENTYTHREE_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:prod',
      CALLBACK_URL: 'https://evil.example/callback',
    });

    expect(settings.handlerEnv).toEqual({ ALLOWED_GROUPS: 'admins', TWENTYTHREE_TIMEOUT_MS: '800', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  });
});
