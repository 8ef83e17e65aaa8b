export * from './auth.guard.js';
export * from './authorization-header.js';
export * from './auth.module.js';
export * from './auth.service.js';
export * from './dto/auth.dto.js';
export * from './jwt.strategy.js';
export * from './web-session.strategy.js';
export * from './parley-passport.js';
