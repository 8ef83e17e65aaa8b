import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/src/index.js';
import { UsersModule } from '../../users/src/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { RefreshToken } from './refresh-token.entity.js';
import { WebSession } from './web-session.entity.js';

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([RefreshToken, WebSession]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A key object, not the string: given a string, jsonwebtoken first tries to read it as a public key on every
        // verify (and fails), which the benchmark found to cost a sixth of the server's CPU on REST requests.
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')),
        signOptions: { algorithm: 'HS256', expiresIn: config.jwt.accessTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthRepository, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
