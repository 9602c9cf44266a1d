// Jest runs in native ESM mode (see the `test:unit` script) because openid-client, jose,
// oidc-provider and Middy 7 are ESM-only. ts-jest only transpiles (tsconfig has isolatedModules);
// `tsc --noEmit` does the type checking.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
  // Sources import each other as `./x.js` (NodeNext); map that back to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
};
