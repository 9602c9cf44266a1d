// Builds the bridge's Cognito app client: a confidential client allowed only the authorization-code grant.
import {
  CfnManagedLoginBranding,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type IUserPool,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

export interface AppClientOptions {
  readonly userPool: IUserPool;
  /** The exact redirect_uri the function sends: the API's /callback. */
  readonly callbackUrl: string;
  /** Where Cognito's /logout may send people back to: the TwentyThree site. */
  readonly logoutUrl: string;
  readonly identityProvider: string | undefined;
  readonly managedLoginBranding: boolean;
}

export interface BuiltAppClient {
  readonly client: UserPoolClient;
  readonly branding: CfnManagedLoginBranding | undefined;
}

export function buildAppClient(scope: Construct, options: AppClientOptions): BuiltAppClient {
  const client = new UserPoolClient(scope, 'AppClient', {
    userPool: options.userPool,
    // Confidential client: the code exchange happens server-side, so a stolen code alone is useless.
    generateSecret: true,
    oAuth: {
      // Code grant only: no tokens in the browser (implicit), no machine tokens (client credentials).
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
      callbackUrls: [options.callbackUrl],
      logoutUrls: [options.logoutUrl],
    },
    supportedIdentityProviders: [
      UserPoolClientIdentityProvider.COGNITO,
      ...(options.identityProvider === undefined ? [] : [UserPoolClientIdentityProvider.custom(options.identityProvider)]),
    ],
    // The bridge revokes the refresh token right after sign-in and uses the ID token once.
    enableTokenRevocation: true,
    idTokenValidity: DEFAULTS.idTokenValidity,
    accessTokenValidity: DEFAULTS.accessTokenValidity,
    refreshTokenValidity: DEFAULTS.refreshTokenValidity,
    preventUserExistenceErrors: true,
  });
  const branding = options.managedLoginBranding
    ? new CfnManagedLoginBranding(scope, 'ManagedLoginBranding', {
        userPoolId: options.userPool.userPoolId,
        clientId: client.userPoolClientId,
        useCognitoProvidedValues: true,
      })
    : undefined;
  return { client, branding };
}
