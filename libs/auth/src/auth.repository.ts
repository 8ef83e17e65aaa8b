import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { User } from '../../users/src/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { WebSession } from './web-session.entity.js';

export type RefreshConsumption = { outcome: 'rotated'; userId: number; familyId: string } | { outcome: 'reused'; familyId: string } | { outcome: 'invalid' };

@Injectable()
export class AuthRepository {
  constructor(
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @InjectRepository(WebSession) private readonly sessions: Repository<WebSession>,
  ) {}

  async insertRefreshToken(tokenHash: string, userId: number, familyId: string, expiresAt: Date): Promise<void> {
    await this.refreshTokens.insert({ tokenHash, userId, familyId, expiresAt });
  }

  /** Marks the token used in one atomic statement, so two concurrent uses cannot both succeed. */
  async consumeRefreshToken(tokenHash: string): Promise<RefreshConsumption> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [{ user_id: number; family_id: string }[], number] = await this.refreshTokens.query(
      `UPDATE refresh_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING user_id, family_id`,
      [tokenHash],
    );
    const consumed = rows[0];
    if (consumed) return { outcome: 'rotated', userId: consumed.user_id, familyId: consumed.family_id };
    const existing = await this.refreshTokens.findOneBy({ tokenHash });
    if (existing?.usedAt) return { outcome: 'reused', familyId: existing.familyId };
    return { outcome: 'invalid' };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async insertSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    await this.sessions.insert({ tokenHash, userId, expiresAt });
  }

  /** The user of a live session, or null when the session is unknown or expired. */
  async findSessionUser(tokenHash: string): Promise<User | null> {
    const session = await this.sessions
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'u')
      .where('s.tokenHash = :tokenHash AND s.expiresAt > now()', { tokenHash })
      .getOne();
    return session?.user ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.sessions.delete({ tokenHash });
  }
}
