export * from './live-updates.service.js';
export * from './parley-io.adapter.js';
export * from './realtime.gateway.js';
export * from './realtime.module.js';
export * from './socket-errors.js';
export * from './redis-link.js';
