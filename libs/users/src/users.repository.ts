import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository, type SelectQueryBuilder } from 'typeorm';
import { onlineSql } from '../../presence/src/presence.sql.js';
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

/** A user with whether it is connected right now (see onlineSql). */
export type UserWithPresence = User & { online: boolean };

/** The users a query selects, each with `online`, computed in the same statement. */
async function withPresence(query: SelectQueryBuilder<User>): Promise<UserWithPresence[]> {
  const { entities, raw } = await query.addSelect(onlineSql(`${query.alias}.id`), 'online').getRawAndEntities<{ online: boolean }>();
  // No joins: one raw row per entity, in the same order.
  return entities.map((user, index) => Object.assign(user, { online: raw[index]?.online === true }));
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** For sign-in: by username or email, with the password hash (never selected otherwise) and `online` (the web session answers the user). */
  async findWithPasswordByLogin(login: string): Promise<UserWithPresence | null> {
    const normalized = login.trim().toLowerCase();
    const query = this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :login OR u.email = :login', { login: normalized });
    return (await withPresence(query))[0] ?? null;
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByIdWithPresence(id: number): Promise<UserWithPresence | null> {
    return withPresence(this.users.createQueryBuilder('u').where('u.id = :id', { id })).then((users) => users[0] ?? null);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username: username.toLowerCase() });
  }

  async findExistingIds(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.users.find({ select: { id: true }, where: { id: In(ids) } });
    return new Set(rows.map((row) => row.id));
  }

  /** Everyone but `excludeId`, by username, optionally filtered by a case-insensitive search; and how many in all. */
  findOthersPage(excludeId: number, search: string | undefined, limit: number, offset: number): Promise<[UserWithPresence[], number]> {
    const query = this.users.createQueryBuilder('u').where('u.id <> :excludeId', { excludeId });
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(u.username ILIKE :pattern OR u.displayName ILIKE :pattern)', { pattern });
    }
    // The same two statements getManyAndCount runs: the count, and the page.
    return Promise.all([withPresence(query.clone().orderBy('u.username', 'ASC').limit(limit).offset(offset)), query.getCount()]);
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
