export * from './dto/read-state.dto.js';
export * from './read-status.module.js';
export * from './read-status.service.js';
