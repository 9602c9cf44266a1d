// Checks one configuration value at a time and returns it normalised, or throws BridgeConfigError
// with one sentence that names the setting. Shared by the construct (props) and bin/app.ts (context).

/** A setting the operator must fix; the message is one sentence that names the setting. */
export class BridgeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BridgeConfigError';
  }
}

/** Cuts a user value down for an error message, so one bad value cannot flood the terminal. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `"${text.length > 100 ? `${text.slice(0, 100)}…` : text}"`;
}

/** The same host pattern as lambda/config.ts, so anything accepted here is accepted at cold start. */
const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Returns the https origin (no trailing slash), or undefined when `value` is not one. */
export function parseHttpsOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  // Only the origin: TwentyThree's SSO settings and the redeem-token redirect are built from it.
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  if (url.pathname !== '/' || url.search || url.hash || value.trim().endsWith('?') || value.trim().endsWith('#')) return undefined;
  return url.origin;
}

/** `twentyThreeUrl`: the https origin of the TwentyThree site. */
export function checkSiteOrigin(value: string): string {
  const origin = parseHttpsOrigin(value);
  if (origin === undefined) {
    throw new BridgeConfigError(
      `twentyThreeUrl must be the https origin of the TwentyThree site, like https://videos.example.com (got ${quote(value)}).`,
    );
  }
  return origin;
}

/** A list of host names (lower-cased), as lambda/config.ts reads RETURN_URL_HOSTS and ALLOWED_EMAIL_DOMAINS. */
export function checkHostList(name: string, what: string, example: string, values: readonly string[]): string[] {
  return values.map((entry) => {
    const host = entry.trim().toLowerCase();
    if (!HOST_PATTERN.test(host)) throw new BridgeConfigError(`${name} must contain only ${what} like ${example}, got ${quote(entry)}.`);
    return host;
  });
}

/** Cognito group names (no commas or white space: the function reads them as a comma-separated list). */
export function checkGroups(values: readonly string[]): string[] {
  return values.map((entry) => {
    const group = entry.trim();
    if (!/^[^\s,]{1,128}$/u.test(group)) {
      throw new BridgeConfigError(`allowedGroups must contain Cognito group names (1-128 characters, no commas or spaces), got ${quote(entry)}.`);
    }
    return group;
  });
}

export type SendEmail = 'verified' | 'never';

/** `sendEmail`: when the e-mail address is passed on to TwentyThree. */
export function checkSendEmail(value: string): SendEmail {
  if (value !== 'verified' && value !== 'never') throw new BridgeConfigError(`sendEmail must be "verified" or "never", got ${quote(value)}.`);
  return value;
}

/** `identityProvider`: the same rule as IDENTITY_PROVIDER in lambda/config.ts. */
export function checkIdentityProvider(value: string): string {
  const name = value.trim();
  if (!/^[\p{L}\p{N}_\-. ]{1,32}$/u.test(name)) {
    throw new BridgeConfigError(
      `identityProvider must be the name of an identity provider of the user pool (1-32 letters, digits, spaces, "_", "-", "."), got ${quote(value)}.`,
    );
  }
  return name;
}

/** Cognito's rule for a prefix domain: lower-case letters, digits and hyphens, and no reserved words. */
export function isValidDomainPrefix(value: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value) && !/aws|amazon|cognito/.test(value);
}

/** `cognitoDomainPrefix`: the prefix of the created pool's managed-login domain. */
export function checkDomainPrefix(value: string): string {
  if (!isValidDomainPrefix(value)) {
    throw new BridgeConfigError(
      `cognitoDomainPrefix must be 1-63 lower-case letters, digits or hyphens, not start or end with a hyphen, and not contain "aws", "amazon" or "cognito", got ${quote(value)}.`,
    );
  }
  return value;
}

/** `cognitoDomain`: an existing pool's domain, either its prefix or the host of its custom domain. */
export function checkCognitoDomain(value: string): { kind: 'prefix' | 'custom'; value: string } {
  const domain = value.trim().toLowerCase();
  if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain)) return { kind: 'prefix', value: domain };
  if (domain.includes('.') && HOST_PATTERN.test(domain)) return { kind: 'custom', value: domain };
  throw new BridgeConfigError(
    `cognitoDomain must be the domain prefix (like my-sso) or the custom domain host (like login.example.com) of the user pool, without https://, got ${quote(value)}.`,
  );
}

/** Cognito user pool id, like eu-west-1_AbC123xyz. */
export function isValidUserPoolId(value: string): boolean {
  return /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+$/.test(value);
}
