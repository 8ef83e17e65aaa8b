export * from './database.module.js';
export * from './embedded-postgres.js';
export * from './typeorm-options.js';
export * from './prepared-statements.js';
