// Jest runs the TypeScript sources as native ESM through SWC (decorator metadata on, as Nest needs it).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

// The servers the suites start do not bundle the admin panel's front-end components (about 2 s each, and only a
// browser needs them); the admin browser suite turns bundling back on for its own server.
process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';

// Two instances need a database they can both reach (the embedded one serves a single connection) and Redis:
// the scale-out suite belongs to runs that configure both, as the second run of .ci/run does.
const scaleOutConfigured = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
// The outage suites cut a connection to a server process with a proxy: there is none to the embedded database (it
// runs inside the server), so the database outage needs DATABASE_URL, and the Redis outage both, as scale-out. The
// overload suite holds a row lock from a second connection, which the embedded database (one connection) cannot.
const serverDatabaseConfigured = Boolean(process.env.DATABASE_URL);
const needsConfiguration = [
  ...(scaleOutConfigured ? [] : ['<rootDir>/test/e2e/scale-out', '<rootDir>/test/e2e/redis-outage']),
  ...(serverDatabaseConfigured ? [] : ['<rootDir>/test/e2e/database-outage', '<rootDir>/test/e2e/database-overload']),
];

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...needsConfiguration],
  testTimeout: 60000,
  maxWorkers: 2,
};
