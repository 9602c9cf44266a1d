import * as client from 'openid-client';
import middy from '@middy/core';
import { App, Stack } from 'aws-cdk-lib';
import { Logger } from '@aws-lambda-powertools/logger';
test('toolchain loads ESM and CJS deps', () => {
  expect(typeof client.discovery).toBe('function');
  expect(typeof middy).toBe('function');
  expect(new Stack(new App(), 'S').stackName).toBe('S');
  expect(new Logger()).toBeDefined();
  expect(process.versions.node.startsWith('24.')).toBe(true);
});
