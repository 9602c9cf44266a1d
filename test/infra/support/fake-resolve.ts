// Turns a synthesized environment (strings, Ref, Fn::GetAtt, Fn::Join) into concrete values a deployment
// would plausibly produce, so the function's own config parser can be run against what the stack sets.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'eu-west-1',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
};

export interface FakeResources {
  /** Resource type by logical id, to pick a realistic value for a Ref. */
  readonly types: Record<string, string>;
}

function refValue(id: string, resources: FakeResources): string {
  if (PSEUDO[id] !== undefined) return PSEUDO[id];
  switch (resources.types[id]) {
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${id}-AbCdEf`;
    case 'AWS::Cognito::UserPool':
      return 'eu-west-1_AbC123xyz';
    case 'AWS::Cognito::UserPoolClient':
      return '1example23456789client';
    case 'AWS::Cognito::UserPoolDomain':
      return 'videos-example-com-sso-1a2b3c4d';
    default:
      return id.toLowerCase();
  }
}

export function fakeResolve(value: Json, resources: FakeResources): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('Ref' in value) return refValue(String(value.Ref), resources);
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      if (attribute === 'ApiEndpoint') return 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
      return `${id}.${attribute}`;
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((part) => fakeResolve(part, resources)).join(separator);
    }
  }
  throw new Error(`fakeResolve cannot resolve ${JSON.stringify(value)}`);
}
