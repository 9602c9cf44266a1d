// Builds (or adopts) the Cognito user pool people sign in with, and works out its domain URL and issuer.
import { Duration, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ManagedLoginVersion,
  Mfa,
  UserPool,
  type IUserPool,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import type { ResolvedPool } from '../resolve-props.js';

export interface BuiltUserPool {
  readonly userPool: IUserPool;
  /** The managed-login domain the construct created; undefined for an imported pool. */
  readonly domain: UserPoolDomain | undefined;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` or `https://<custom domain>`: /logout and /oauth2/revoke live here. */
  readonly domainUrl: string;
  /** The OpenID Connect issuer of the pool (discovery document and `iss` claim). */
  readonly issuer: string;
}

function createUserPool(scope: Construct, domainPrefix: string): { userPool: UserPool; domain: UserPoolDomain } {
  const userPool = new UserPool(scope, 'UserPool', {
    // People are invited (or federated): a video site closed to the public must not let anyone sign up.
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
    signInCaseSensitive: false,
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    // A password alone opens a company's closed video site: require an authenticator app for local users
    // (federated users get their MFA from their own identity provider).
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: AccountRecovery.EMAIL_ONLY,
  });
  const domain = userPool.addDomain('Domain', {
    cognitoDomain: { domainPrefix },
    managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
  });
  return { userPool, domain };
}

function issuerOf(userPool: IUserPool): string {
  // Region of the pool itself (from its ARN when imported by ARN), not necessarily the stack's.
  return `https://cognito-idp.${userPool.env.region}.${Stack.of(userPool).urlSuffix}/${userPool.userPoolId}`;
}

/** The created pool with its managed-login domain, or the imported one with the domain the operator named. */
export function buildUserPool(scope: Construct, pool: ResolvedPool): BuiltUserPool {
  if (pool.kind === 'create') {
    const { userPool, domain } = createUserPool(scope, pool.domainPrefix);
    return { userPool, domain, domainUrl: domain.baseUrl(), issuer: issuerOf(userPool) };
  }
  const domainUrl =
    pool.domain.kind === 'custom'
      ? `https://${pool.domain.value}`
      : `https://${pool.domain.value}.auth.${pool.userPool.env.region}.amazoncognito.com`;
  return { userPool: pool.userPool, domain: undefined, domainUrl, issuer: issuerOf(pool.userPool) };
}
