import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UnauthorizedError, type Actor } from '../../common/src/index.js';
import { AppConfig } from '../../config/src/index.js';
import type { MeDto } from '../../users/src/dto/user.dto.js';
import type { User } from '../../users/src/user.entity.js';
import { toMeDto } from '../../users/src/user.mapper.js';
import { UsersRepository } from '../../users/src/users.repository.js';
import { UsersService } from '../../users/src/users.service.js';
import { AuthRepository } from './auth.repository.js';
import type { CredentialsDto, TokenPairDto } from './dto/auth.dto.js';
import type { AccessClaims } from './jwt.strategy.js';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newOpaqueToken = (): string => randomBytes(32).toString('base64url');
const invalidCredentials = (): UnauthorizedError => new UnauthorizedError('invalid_credentials', 'Wrong username or password.');
const invalidRefresh = (): UnauthorizedError =>
  new UnauthorizedError('invalid_refresh_token', 'The refresh token is invalid, expired or already used; sign in again.');

export interface WebSessionGrant {
  token: string;
  maxAgeSeconds: number;
  user: MeDto;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly userRecords: UsersRepository,
    private readonly records: AuthRepository,
  ) {}

  async signIn(credentials: CredentialsDto): Promise<TokenPairDto> {
    const user = await this.users.verifyCredentials(credentials.username, credentials.password);
    if (!user) throw invalidCredentials();
    return this.issueTokens(user, randomUUID());
  }

  /** Rotates: the presented token is spent, a new pair is issued. A spent token presented again revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const consumption = await this.records.consumeRefreshToken(hashToken(refreshToken));
    switch (consumption.outcome) {
      case 'rotated': {
        const user = await this.userRecords.findById(consumption.userId);
        if (!user) throw invalidRefresh();
        return this.issueTokens(user, consumption.familyId);
      }
      case 'reused':
        // Somebody holds a copy of a token that was already used: end every session descended from it.
        await this.records.revokeFamily(consumption.familyId);
        throw invalidRefresh();
      case 'invalid':
        throw invalidRefresh();
      default: {
        const unreachable: never = consumption;
        throw new Error(`unexpected refresh outcome ${JSON.stringify(unreachable)}`);
      }
    }
  }

  async startWebSession(credentials: CredentialsDto): Promise<WebSessionGrant> {
    const user = await this.users.verifyCredentials(credentials.username, credentials.password);
    if (!user) throw invalidCredentials();
    const token = newOpaqueToken();
    const maxAgeSeconds = this.config.sessionTtlSeconds;
    await this.records.insertSession(hashToken(token), user.id, new Date(Date.now() + maxAgeSeconds * 1000));
    return { token, maxAgeSeconds, user: toMeDto(user) };
  }

  async authenticateWebSession(token: string): Promise<Actor> {
    const user = await this.records.findSessionUser(hashToken(token));
    if (!user) throw new UnauthorizedError('invalid_session', 'Your session has ended; sign in again.');
    return { id: user.id, username: user.username, isStaff: user.isStaff };
  }

  async endWebSession(token: string | undefined): Promise<void> {
    if (token) await this.records.deleteSession(hashToken(token));
  }

  private async issueTokens(user: User, familyId: string): Promise<TokenPairDto> {
    const claims: AccessClaims = { sub: String(user.id), username: user.username, staff: user.isStaff, typ: 'access' };
    const access = await this.jwt.signAsync(claims);
    const refresh = newOpaqueToken();
    const expiresAt = new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000);
    await this.records.insertRefreshToken(hashToken(refresh), user.id, familyId, expiresAt);
    return { access, refresh };
  }
}
