import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { User } from './user.entity.js';

export interface NewUser {
  username: string;
  email: string | null;
  displayName: string;
  passwordHash: string;
  isStaff: boolean;
}

/** What staff may change about a user besides the password. */
export interface ProfileChanges {
  username?: string;
  email?: string | null;
  displayName?: string;
  isStaff?: boolean;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** For sign-in: by username or email, with the password hash (never selected otherwise). */
  findWithPasswordByLogin(login: string): Promise<User | null> {
    const normalized = login.trim().toLowerCase();
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :login OR u.email = :login', { login: normalized }).getOne();
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username: username.toLowerCase() });
  }

  async findExistingIds(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.users.find({ select: { id: true }, where: { id: In(ids) } });
    return new Set(rows.map((row) => row.id));
  }

  /** Everyone but `excludeId`, by username, optionally filtered by a case-insensitive search. */
  findOthersPage(excludeId: number, search: string | undefined, limit: number, offset: number): Promise<[User[], number]> {
    const query = this.users.createQueryBuilder('u').where('u.id <> :excludeId', { excludeId });
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(u.username ILIKE :pattern OR u.displayName ILIKE :pattern)', { pattern });
    }
    return query.orderBy('u.username', 'ASC').limit(limit).offset(offset).getManyAndCount();
  }

  async insertUser(user: NewUser): Promise<User> {
    const created = this.users.create({ ...user, username: user.username.toLowerCase(), email: user.email?.toLowerCase() ?? null });
    const saved = await this.users.save(created);
    return (await this.findById(saved.id)) as User;
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  async updateProfile(id: number, changes: ProfileChanges): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.users.update({ id }, changes);
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }
}
