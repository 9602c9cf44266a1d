// Reads the CDK context (`-c key=value` or cdk.json) into the stack's props. Anything missing or malformed
// stops synth with one sentence that says what to set (BridgeConfigError; bin/app.ts prints it).
import type { TwentyThreeSsoStackProps } from './twentythree-sso-stack.js';
import {
  BridgeConfigError,
  checkCognitoDomain,
  checkDomainPrefix,
  checkGroups,
  checkHostList,
  checkIdentityProvider,
  checkSendEmail,
  isValidUserPoolId,
  parseHttpsOrigin,
  quote,
} from './validation.js';

/** What bin/app.ts needs: the stack's name and its props. */
export interface BridgeAppConfig {
  readonly stackName: string;
  readonly stackProps: TwentyThreeSsoStackProps;
}

/** Reads one context key; `app.node.tryGetContext` in the app, a plain object in tests. */
export type ContextReader = (key: string) => unknown;

export const DEFAULT_STACK_NAME = 'TwentyThreeSso';

const DEPLOY = 'npx cdk deploy';

/** A string setting; unset, empty and blank all mean "not set". */
function text(get: ContextReader, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BridgeConfigError(`${key} must be a string, got ${quote(value)}.`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A list setting: a JSON array of strings (from cdk.json or `-c key='["a","b"]'`) or a comma-separated string. */
export function readList(get: ContextReader, key: string): string[] {
  const value = get(key);
  if (value === undefined || value === null) return [];
  let items: unknown = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        items = JSON.parse(trimmed);
      } catch {
        throw new BridgeConfigError(`${key} is not valid JSON: use a comma-separated list (-c ${key}=a,b) or a JSON array of strings.`);
      }
    } else {
      items = trimmed.split(',');
    }
  }
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    throw new BridgeConfigError(`${key} must be a comma-separated list (-c ${key}=a,b) or a JSON array of strings, got ${quote(value)}.`);
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}

function flag(get: ContextReader, key: string): boolean | undefined {
  const value = get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new BridgeConfigError(`${key} must be true or false, got ${quote(value)}.`);
}

function siteOrigin(get: ContextReader): string {
  const raw = text(get, 'twentyThreeUrl');
  if (raw === undefined) throw new BridgeConfigError(`Set the TwentyThree site: ${DEPLOY} -c twentyThreeUrl=https://videos.example.com`);
  const origin = parseHttpsOrigin(raw);
  if (origin === undefined) {
    throw new BridgeConfigError(
      `twentyThreeUrl must be the https origin of the TwentyThree site (got ${quote(raw)}): ${DEPLOY} -c twentyThreeUrl=https://videos.example.com`,
    );
  }
  return origin;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;

function secretImport(get: ContextReader): { twentyThreeSecretArn?: string; twentyThreeSecretName?: string } {
  const arn = text(get, 'twentyThreeSecretArn');
  const name = text(get, 'twentyThreeSecretName');
  if (arn !== undefined && name !== undefined) {
    throw new BridgeConfigError('Set only one of twentyThreeSecretArn and twentyThreeSecretName.');
  }
  if (arn !== undefined) {
    if (!SECRET_ARN.test(arn)) {
      throw new BridgeConfigError(
        `twentyThreeSecretArn must be the complete ARN of a Secrets Manager secret (ending in -XXXXXX), got ${quote(arn)}; for a name, set twentyThreeSecretName instead.`,
      );
    }
    return { twentyThreeSecretArn: arn };
  }
  if (name !== undefined) {
    // Secrets Manager's rule for names: 1-512 of letters, digits and /_+=.@-
    if (!/^[\w/+=.@-]{1,512}$/.test(name) || name.startsWith('arn:')) {
      throw new BridgeConfigError(`twentyThreeSecretName must be a Secrets Manager secret name (letters, digits and /_+=.@-), got ${quote(name)}.`);
    }
    return { twentyThreeSecretName: name };
  }
  return {};
}

function poolImport(get: ContextReader): { userPoolId?: string; cognitoDomain?: string; cognitoDomainPrefix?: string } {
  const userPoolId = text(get, 'userPoolId');
  const cognitoDomain = text(get, 'cognitoDomain');
  const cognitoDomainPrefix = text(get, 'cognitoDomainPrefix');
  if (userPoolId === undefined) {
    if (cognitoDomain !== undefined) {
      throw new BridgeConfigError(`cognitoDomain needs the pool it belongs to: ${DEPLOY} -c userPoolId=<pool id> -c cognitoDomain=${cognitoDomain}`);
    }
    return cognitoDomainPrefix === undefined ? {} : { cognitoDomainPrefix: checkDomainPrefix(cognitoDomainPrefix) };
  }
  if (!isValidUserPoolId(userPoolId)) {
    throw new BridgeConfigError(`userPoolId must be a Cognito user pool id like eu-west-1_AbC123xyz, got ${quote(userPoolId)}.`);
  }
  if (cognitoDomainPrefix !== undefined) {
    throw new BridgeConfigError('cognitoDomainPrefix names the domain of a created pool; with userPoolId, set cognitoDomain to that pool\'s domain instead.');
  }
  if (cognitoDomain === undefined) {
    throw new BridgeConfigError(
      `Set the domain of the existing user pool too: ${DEPLOY} -c userPoolId=${userPoolId} -c cognitoDomain=<its domain prefix or custom domain host>`,
    );
  }
  return { userPoolId, cognitoDomain: checkCognitoDomain(cognitoDomain).value };
}

function stackName(get: ContextReader): string {
  const name = text(get, 'stackName') ?? DEFAULT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new BridgeConfigError(`stackName must start with a letter and contain only letters, digits and hyphens (at most 128), got ${quote(name)}.`);
  }
  return name;
}

/** Reads and checks every context key the app knows. Throws BridgeConfigError with one sentence. */
export function readBridgeContext(get: ContextReader): BridgeAppConfig {
  const twentyThreeUrl = siteOrigin(get);
  const secret = secretImport(get);
  const pool = poolImport(get);
  const sendEmail = text(get, 'sendEmail');
  const identityProvider = text(get, 'identityProvider');
  const managedLoginBranding = flag(get, 'managedLoginBranding');
  const tracing = flag(get, 'tracing');
  return {
    stackName: stackName(get),
    stackProps: {
      ...secret,
      ...(pool.userPoolId === undefined ? {} : { userPoolId: pool.userPoolId }),
      bridge: {
        twentyThreeUrl,
        ...(pool.cognitoDomain === undefined ? {} : { cognitoDomain: pool.cognitoDomain }),
        ...(pool.cognitoDomainPrefix === undefined ? {} : { cognitoDomainPrefix: pool.cognitoDomainPrefix }),
        ...(managedLoginBranding === undefined ? {} : { managedLoginBranding }),
        ...(tracing === undefined ? {} : { tracing }),
        allowedGroups: checkGroups(readList(get, 'allowedGroups')),
        allowedEmailDomains: checkHostList('allowedEmailDomains', 'e-mail domains', 'example.com', readList(get, 'allowedEmailDomains')),
        returnUrlHosts: checkHostList('returnUrlHosts', 'host names', 'www.example.com', readList(get, 'returnUrlHosts')),
        ...(sendEmail === undefined ? {} : { sendEmail: checkSendEmail(sendEmail) }),
        ...(identityProvider === undefined ? {} : { identityProvider: checkIdentityProvider(identityProvider) }),
      },
    },
  };
}
