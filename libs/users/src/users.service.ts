import { Injectable } from '@nestjs/common';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, resolvePageWindow, type Actor, type Page } from '../../common/src/index.js';
import type { ListUsersQueryDto, MeDto, UserDto } from './dto/user.dto.js';
import { PasswordHasher } from './password-hasher.js';
import type { User } from './user.entity.js';
import { toMeDto, toUserDto } from './user.mapper.js';
import { UsersRepository, type ProfileChanges, type UserWithPresence } from './users.repository.js';

export interface CreateUserInput {
  username: string;
  email?: string | null;
  displayName: string;
  password: string;
  isStaff?: boolean;
}

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{1,149}$/;
// Deliberately loose: one @, something on both sides, a dot in the domain; the address is only ever shown.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async listOthers(actor: Actor, query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const window = resolvePageWindow(query);
    const [users, count] = await this.users.findOthersPage(actor.id, query.search?.trim() || undefined, window.limit, window.offset);
    return { count, window, results: users.map(toUserDto) };
  }

  async getMe(actor: Actor): Promise<MeDto> {
    const user = await this.users.findByIdWithPresence(actor.id);
    if (!user) throw new NotFoundError('user_not_found', 'Your account no longer exists.');
    return toMeDto(user);
  }

  /** Checks a username/email and password; the same work and answer whether or not the user exists. */
  async verifyCredentials(login: string, password: string): Promise<UserWithPresence | null> {
    const user = await this.users.findWithPasswordByLogin(login);
    const valid = await this.hasher.verify(password, user?.passwordHash);
    return valid && user ? user : null;
  }

  async createUser(input: CreateUserInput): Promise<User> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME_PATTERN.test(username)) {
      throw new BadRequestError('invalid_username', 'A username has 2 to 150 characters: letters, digits, "_", "." or "-".');
    }
    if (await this.users.findByUsername(username)) throw new ConflictError('username_taken', `The username ${username} is taken.`);
    const email = input.email?.trim().toLowerCase() || null;
    if (email && !EMAIL_PATTERN.test(email)) throw new BadRequestError('invalid_email', `${email} is not an email address.`);
    if (email && (await this.users.findByEmail(email))) throw new ConflictError('email_taken', `The email ${email} belongs to another user.`);
    return this.users.insertUser({
      username,
      email,
      displayName: input.displayName.trim() || username,
      passwordHash: await this.hasher.hash(input.password),
      isStaff: input.isStaff ?? false,
    });
  }

  /** The user with that username, created with these details if missing (idempotent, for the demo seed). */
  async ensureUser(input: CreateUserInput): Promise<User> {
    return (await this.users.findByUsername(input.username)) ?? this.createUser(input);
  }

  async setPassword(userId: number, password: string): Promise<void> {
    await this.users.updatePasswordHash(userId, await this.hasher.hash(password));
  }

  /**
   * Staff edit a user's username, email, display name or staff flag (empty values leave a field as it is; an empty
   * email removes it). Nobody can take their own staff flag away: that would lock the last staff member out.
   */
  async updateProfileAsStaff(actor: Actor, userId: number, changes: ProfileChanges): Promise<User> {
    if (!actor.isStaff) throw new ForbiddenError('staff_only', 'Only staff can edit users.');
    if (userId === actor.id && changes.isStaff === false) {
      throw new BadRequestError('own_staff_flag', 'You cannot remove your own staff access; ask another staff member.');
    }
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('user_not_found', `No such user: ${userId}.`);
    const update: ProfileChanges = {};
    const username = changes.username?.trim().toLowerCase();
    if (username && username !== user.username) {
      if (!USERNAME_PATTERN.test(username)) {
        throw new BadRequestError('invalid_username', 'A username has 2 to 150 characters: letters, digits, "_", "." or "-".');
      }
      if (await this.users.findByUsername(username)) throw new ConflictError('username_taken', `The username ${username} is taken.`);
      update.username = username;
    }
    if (changes.email !== undefined) {
      const email = changes.email?.trim().toLowerCase() || null;
      if (email && !EMAIL_PATTERN.test(email)) throw new BadRequestError('invalid_email', `${email} is not an email address.`);
      if (email && email !== user.email && (await this.users.findByEmail(email))) {
        throw new ConflictError('email_taken', `The email ${email} belongs to another user.`);
      }
      update.email = email;
    }
    const displayName = changes.displayName?.trim();
    if (displayName) update.displayName = displayName;
    if (changes.isStaff !== undefined) update.isStaff = changes.isStaff;
    await this.users.updateProfile(userId, update);
    return (await this.users.findById(userId)) as User;
  }
}
