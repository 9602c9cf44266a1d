// The embedded OpenID provider's demo people, with the attributes a Cognito user pool would put in their
// ID tokens. Each covers a case the bridge must handle: normal, unverified e-mail, no name, admin group.
import { createHash, timingSafeEqual } from 'node:crypto';

/** One password for every demo user: it only ever guards a provider on loopback. */
export const DEMO_PASSWORD = 'demo-password';

export interface DemoUser {
  /** Cognito `sub`: a UUID. */
  readonly sub: string;
  /** Cognito `cognito:username`; also what people type on the sign-in page. */
  readonly username: string;
  /** One line for the start-up banner and the sign-in page's hint. */
  readonly description: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly groups: readonly string[];
}

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  {
    sub: 'a11ce000-0000-4000-8000-000000000001',
    username: 'alice',
    description: 'verified e-mail, name "Alice Example"',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Example',
    givenName: 'Alice',
    familyName: 'Example',
    groups: [],
  },
  {
    sub: 'b0b00000-0000-4000-8000-000000000002',
    username: 'bob',
    description: 'e-mail NOT verified (signed in without an e-mail)',
    email: 'bob@example.com',
    emailVerified: false,
    name: 'Bob Unverified',
    givenName: 'Bob',
    familyName: 'Unverified',
    groups: [],
  },
  {
    sub: 'ca201000-0000-4000-8000-000000000003',
    username: 'carol',
    description: 'verified e-mail, no name claims at all',
    email: 'carol@example.com',
    emailVerified: true,
    groups: [],
  },
  {
    sub: 'da4a0000-0000-4000-8000-000000000004',
    username: 'dana',
    description: `group "admins", name "Dana Zoë O'Brien (QA)"`,
    email: 'dana@example.org',
    emailVerified: true,
    name: "Dana Zoë O'Brien (QA)",
    givenName: 'Dana Zoë',
    familyName: "O'Brien (QA)",
    groups: ['admins'],
  },
]);

/** By username or e-mail (Cognito's e-mail alias), case-insensitively. */
export function findDemoUser(login: string): DemoUser | undefined {
  const wanted = login.trim().toLowerCase();
  return DEMO_USERS.find((u) => u.username === wanted || u.email === wanted);
}

export function findDemoUserBySub(sub: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.sub === sub);
}

/** The user when login and password match, else undefined. */
export function verifyDemoUser(login: string, password: string): DemoUser | undefined {
  const user = findDemoUser(login);
  // Compare digests so the comparison takes the same time whatever was typed.
  const typed = createHash('sha256').update(password).digest();
  const expected = createHash('sha256').update(DEMO_PASSWORD).digest();
  return timingSafeEqual(typed, expected) && user ? user : undefined;
}

/**
 * The claims Cognito puts in an ID token for this user: `cognito:groups` only when the user is in a group,
 * name claims only when set, `email_verified` as a boolean.
 */
export function cognitoClaims(user: DemoUser): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub: user.sub,
    'cognito:username': user.username,
    email: user.email,
    email_verified: user.emailVerified,
  };
  if (user.name !== undefined) claims.name = user.name;
  if (user.givenName !== undefined) claims.given_name = user.givenName;
  if (user.familyName !== undefined) claims.family_name = user.familyName;
  if (user.groups.length > 0) claims['cognito:groups'] = [...user.groups];
  return claims;
}
