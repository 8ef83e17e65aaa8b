import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { AdminSession } from './admin-session.entity.js';

@Injectable()
export class AdminSessionsRepository {
  constructor(@InjectRepository(AdminSession) private readonly sessions: Repository<AdminSession>) {}

  /** The session's data while it has not expired. */
  async findLive(sid: string): Promise<Record<string, unknown> | null> {
    const row = await this.sessions.findOne({ where: { sid, expiresAt: MoreThan(new Date()) } });
    return row?.data ?? null;
  }

  async upsert(sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    await this.sessions.query(
      `INSERT INTO admin_sessions (sid, data, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [sid, JSON.stringify(data), expiresAt],
    );
  }

  async extend(sid: string, expiresAt: Date): Promise<void> {
    await this.sessions.update({ sid }, { expiresAt });
  }

  async delete(sid: string): Promise<void> {
    await this.sessions.delete({ sid });
  }

  async deleteExpired(): Promise<void> {
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
  }
}
