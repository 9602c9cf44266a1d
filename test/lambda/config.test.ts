import { ConfigError } from '../../lambda/errors.js';
import { loadConfig, parseList } from '../../lambda/config.js';

const BASE = {
  TWENTYTHREE_URL: 'https://videos.example.com',
  TWENTYTHREE_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:t23-AbCdEf',
  OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  OIDC_CLIENT_ID: 'client-1',
  CALLBACK_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/callback',
  STATE_KEY_SECRET_ID: 'state-key',
};

function configError(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: loadConfig', () => {
  it('reads a complete environment into a frozen object with safe defaults', () => {
    const config = loadConfig(BASE);
    expect(config.siteOrigin).toBe('https://videos.example.com');
    expect(config.twentyThreeTimeoutMs).toBe(5000);
    expect(config.stateMaxAgeSeconds).toBe(600);
    expect(config.accessPolicy).toEqual({ allowedGroups: [], allowedEmailDomains: [], sendEmail: 'verified' });
    expect(config.insecureLoopback).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.accessPolicy)).toBe(true);
  });

  it.each(Object.keys(BASE))('names %s when it is missing', (name) => {
    expect(configError({ ...BASE, [name]: '  ' })).toMatch(new RegExp(`^${name} is not set: set it to .+\\.$`));
  });

  it('refuses plain http for a host that is not loopback', () => {
    expect(configError({ ...BASE, TWENTYTHREE_URL: 'http://videos.example.com' })).toBe(
      'TWENTYTHREE_URL must be an https:// URL (plain http is allowed only on localhost), got "http://videos.example.com".',
    );
    expect(configError({ ...BASE, OIDC_ISSUER: 'http://10.0.0.1/issuer' })).toMatch(/^OIDC_ISSUER must be an https:\/\/ URL/);
  });

  it('allows plain http on loopback and marks the configuration as local', () => {
    const config = loadConfig({ ...BASE, TWENTYTHREE_URL: 'http://localhost:3001', OIDC_ISSUER: 'http://127.0.0.1:4000' });
    expect(config.siteOrigin).toBe('http://localhost:3001');
    expect(config.insecureLoopback).toBe(true);
  });

  it('refuses a site URL with a path, query or credentials', () => {
    expect(configError({ ...BASE, TWENTYTHREE_URL: 'https://videos.example.com/v/1' })).toMatch(/origin only/);
    expect(configError({ ...BASE, TWENTYTHREE_URL: 'https://videos.example.com/?a=1' })).toMatch(/query string/);
    expect(configError({ ...BASE, TWENTYTHREE_URL: 'https://u:p@videos.example.com' })).toMatch(/user name or password/);
    expect(configError({ ...BASE, TWENTYTHREE_URL: 'videos.example.com' })).toMatch(/is not a URL/);
  });

  it('requires the callback URL to end with /callback', () => {
    expect(configError({ ...BASE, CALLBACK_URL: 'https://abc.example.com/other' })).toBe('CALLBACK_URL must end with /callback.');
  });

  it('parses the access policy and refuses unknown e-mail policies', () => {
    const config = loadConfig({ ...BASE, ALLOWED_GROUPS: ' staff, admins ,', ALLOWED_EMAIL_DOMAINS: 'Example.com', SEND_EMAIL: 'never' });
    expect(config.accessPolicy).toEqual({ allowedGroups: ['staff', 'admins'], allowedEmailDomains: ['example.com'], sendEmail: 'never' });
    expect(configError({ ...BASE, SEND_EMAIL: 'always' })).toBe('SEND_EMAIL must be "verified" or "never", got "always".');
    expect(configError({ ...BASE, ALLOWED_EMAIL_DOMAINS: '@example.com' })).toMatch(/^ALLOWED_EMAIL_DOMAINS must be a comma-separated list/);
    expect(configError({ ...BASE, RETURN_URL_HOSTS: 'https://x.example.com' })).toMatch(/^RETURN_URL_HOSTS must be a comma-separated list/);
  });

  it('refuses out-of-range numbers', () => {
    expect(configError({ ...BASE, TWENTYTHREE_TIMEOUT_MS: '0' })).toBe('TWENTYTHREE_TIMEOUT_MS must be a whole number from 1 to 25000, got "0".');
    expect(configError({ ...BASE, STATE_MAX_AGE_SECONDS: '5m' })).toMatch(/^STATE_MAX_AGE_SECONDS must be a whole number/);
  });

  it('refuses an identity provider name Cognito could not have', () => {
    expect(configError({ ...BASE, IDENTITY_PROVIDER: 'Okta&x=1' })).toMatch(/^IDENTITY_PROVIDER must be the name/);
    expect(loadConfig({ ...BASE, IDENTITY_PROVIDER: 'Corporate-SAML' }).identityProvider).toBe('Corporate-SAML');
  });
});

describe('Function: parseList', () => {
  it('drops empty entries and trims', () => {
    expect(parseList(' a, ,b ,, ')).toEqual(['a', 'b']);
    expect(parseList(undefined)).toEqual([]);
  });
});
