export * from './dto/user.dto.js';
export * from './password-hasher.js';
export * from './user.entity.js';
export * from './user.mapper.js';
export * from './users.module.js';
export * from './users.repository.js';
export * from './users.service.js';
