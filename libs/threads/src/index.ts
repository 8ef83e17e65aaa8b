export * from './dto/thread.dto.js';
export * from './participant.entity.js';
export * from './thread.entity.js';
export * from './threads.module.js';
export * from './threads.repository.js';
export * from './threads.service.js';
export * from './unread.js';
