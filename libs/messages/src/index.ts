export * from './dto/message.dto.js';
export * from './message.entity.js';
export * from './message.mapper.js';
export * from './messages.module.js';
export * from './messages.repository.js';
export * from './messages.service.js';
export * from './read-flags.js';
