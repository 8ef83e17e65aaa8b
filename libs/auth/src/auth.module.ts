import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/src/index.js';
import { UsersModule } from '../../users/src/users.module.js';
import { AuthController } from './auth.controller.js';
import { GlobalAuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { ParleyPassport } from './parley-passport.js';
import { RefreshToken } from './refresh-token.entity.js';
import { WebSession } from './web-session.entity.js';
import { WebSessionStrategy } from './web-session.strategy.js';

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([RefreshToken, WebSession]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Signing only; JwtStrategy verifies. A key object, as there (jsonwebtoken would otherwise try the string as a key first).
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')),
        signOptions: { algorithm: 'HS256', expiresIn: config.jwt.accessTtlSeconds },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthRepository, AuthService, JwtStrategy, WebSessionStrategy, ParleyPassport, { provide: APP_GUARD, useClass: GlobalAuthGuard }],
  exports: [AuthService, ParleyPassport],
})
export class AuthModule {}
