export * from './presence-instance.entity.js';
export * from './presence-tracker.js';
export * from './presence.module.js';
export * from './presence.repository.js';
export * from './presence.sql.js';
export * from './user-presence.entity.js';
