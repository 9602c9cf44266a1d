// A thin stack around TwentyThreeSsoBridge: it only turns plain ids (from CDK context) into imported
// resources and hands everything else to the construct.
import { Stack, type StackProps } from 'aws-cdk-lib';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { TwentyThreeSsoBridgeProps } from './bridge-props.js';
import { TwentyThreeSsoBridge } from './twentythree-sso-bridge.js';
import { BridgeConfigError } from './validation.js';

export interface TwentyThreeSsoStackProps extends StackProps {
  /** Everything the construct takes except the imported resources, which come from the ids below. */
  readonly bridge: Omit<TwentyThreeSsoBridgeProps, 'twentyThreeSecret' | 'userPool'>;
  /**
   * Complete ARN of an existing TwentyThree credentials secret.
   * @default - see twentyThreeSecretName
   */
  readonly twentyThreeSecretArn?: string;
  /**
   * Name of an existing TwentyThree credentials secret.
   * @default - the construct creates the secret
   */
  readonly twentyThreeSecretName?: string;
  /**
   * Id of an existing user pool in the stack's region (`bridge.cognitoDomain` is then required).
   * @default - the construct creates the user pool
   */
  readonly userPoolId?: string;
}

export class TwentyThreeSsoStack extends Stack {
  /** The bridge this stack deploys. */
  public readonly bridge: TwentyThreeSsoBridge;

  constructor(scope: Construct, id: string, props: TwentyThreeSsoStackProps) {
    const { bridge, twentyThreeSecretArn, twentyThreeSecretName, userPoolId, ...stackProps } = props;
    super(scope, id, {
      description: 'TwentyThree SSO bridge: signs people into a TwentyThree video site through Amazon Cognito.',
      ...stackProps,
    });
    this.bridge = new TwentyThreeSsoBridge(this, 'Bridge', {
      ...bridge,
      twentyThreeSecret: this.importSecret(twentyThreeSecretArn, twentyThreeSecretName),
      userPool: userPoolId === undefined ? undefined : UserPool.fromUserPoolId(this, 'ImportedUserPool', userPoolId),
    });
  }

  private importSecret(arn: string | undefined, name: string | undefined): ISecret | undefined {
    if (arn !== undefined && name !== undefined) {
      throw new BridgeConfigError('Set only one of twentyThreeSecretArn and twentyThreeSecretName.');
    }
    if (arn !== undefined) return Secret.fromSecretCompleteArn(this, 'ImportedTwentyThreeSecret', arn);
    if (name !== undefined) return Secret.fromSecretNameV2(this, 'ImportedTwentyThreeSecret', name);
    return undefined;
  }
}
