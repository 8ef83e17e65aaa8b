import { Injectable } from '@nestjs/common';
import type { CurrentAdmin } from 'adminjs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError, threadNotFound, type Actor } from '../../common/src/index.js';
import { SendMessageDto, type MessageDto } from '../../messages/src/dto/message.dto.js';
import type { MessageRecord } from '../../messages/src/message.mapper.js';
import { MessagesService } from '../../messages/src/messages.service.js';
import { ThreadsRepository } from '../../threads/src/threads.repository.js';
import { ThreadsService } from '../../threads/src/threads.service.js';
import type { User } from '../../users/src/user.entity.js';
import { UsersRepository, type ProfileChanges } from '../../users/src/users.repository.js';
import { UsersService } from '../../users/src/users.service.js';
import { AdminStatsRepository, type DashboardCounts } from './admin-stats.repository.js';

export const ADMIN_PASSWORD_MIN = 8;

export interface NewUserInput {
  username: string;
  email: string | null;
  displayName: string;
  password: string;
  isStaff: boolean;
}

/** Thrown at sign-in for a valid account without staff access; its message is shown on the login page. */
export class NotStaffError extends ForbiddenError {
  constructor() {
    super('not_staff', 'This account is not a staff account: only staff can sign in to the admin panel.');
  }
}

const asActor = (user: Pick<User, 'id' | 'username' | 'isStaff'>): Actor => ({ id: user.id, username: user.username, isStaff: user.isStaff });

/**
 * What the admin panel does, each through the domain services the API uses, so that events, seq and counts follow
 * the same rules. The staff member is re-read on every write: revoking staff access takes effect at once.
 * Acting on a user's behalf (sending as them, deleting a thread as its owner) goes through that user's actor.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly userRecords: UsersRepository,
    private readonly threads: ThreadsService,
    private readonly threadRecords: ThreadsRepository,
    private readonly messages: MessagesService,
    private readonly stats: AdminStatsRepository,
  ) {}

  /** /admin/login: the API's credentials check (same hashing, same answer for unknown users); then staff only. */
  async signIn(login: string | undefined, password: string | undefined): Promise<CurrentAdmin | null> {
    const user = await this.users.verifyCredentials(login ?? '', password ?? '');
    if (!user) return null;
    if (!user.isStaff) throw new NotStaffError();
    return { id: String(user.id), email: user.email ?? user.username, title: `${user.displayName} (${user.username})` };
  }

  dashboard(): Promise<DashboardCounts> {
    return this.stats.findDashboardCounts();
  }

  /** Sends as `senderId`, exactly as if that user had sent it: delivered live, seq taken, the sender's marker moved. */
  async sendAs(admin: CurrentAdmin | undefined, input: { threadId: number; senderId: number; text: string }): Promise<MessageDto> {
    await this.requireStaff(admin);
    const sender = await this.userRecords.findById(input.senderId);
    if (!sender) throw new BadRequestError('unknown_users', `No such user: ${input.senderId}.`);
    const membership = await this.threadRecords.findThreadForParticipant(input.threadId, sender.id);
    if (!membership) throw new BadRequestError('not_a_participant', `${sender.username} is not a participant of thread ${input.threadId}.`);
    const { message } = await this.messages.send(asActor(sender), input.threadId, { text: messageText(input.text) });
    return message;
  }

  async editMessage(admin: CurrentAdmin | undefined, messageId: number, text: string): Promise<MessageRecord> {
    return this.messages.moderateText(await this.requireStaff(admin), messageId, text);
  }

  async redactMessage(admin: CurrentAdmin | undefined, messageId: number): Promise<MessageRecord> {
    return this.messages.redact(await this.requireStaff(admin), messageId);
  }

  /** Deletes a thread with its messages as the user allowed to: the group's owner, or a participant of a direct thread. */
  async deleteThread(admin: CurrentAdmin | undefined, threadId: number): Promise<void> {
    await this.requireStaff(admin);
    const members = (await this.threadRecords.findMembersOfThread(threadId)).map((m) => m.member);
    const deleter = members.find((member) => member.role === 'owner') ?? members[0];
    const user = deleter && (await this.userRecords.findById(deleter.userId));
    if (!user) throw threadNotFound();
    await this.threads.delete(asActor(user), threadId);
  }

  async createUser(admin: CurrentAdmin | undefined, input: NewUserInput): Promise<User> {
    await this.requireStaff(admin);
    requirePassword(input.password);
    return this.users.createUser(input);
  }

  async updateUser(admin: CurrentAdmin | undefined, userId: number, changes: ProfileChanges): Promise<User> {
    return this.users.updateProfileAsStaff(await this.requireStaff(admin), userId, changes);
  }

  async setPassword(admin: CurrentAdmin | undefined, userId: number, password: string): Promise<void> {
    await this.requireStaff(admin);
    requirePassword(password);
    if (!(await this.userRecords.findById(userId))) throw new NotFoundError('user_not_found', `No such user: ${userId}.`);
    await this.users.setPassword(userId, password);
  }

  private async requireStaff(admin: CurrentAdmin | undefined): Promise<Actor> {
    const id = Number(admin?.id);
    const user = Number.isInteger(id) && id > 0 ? await this.userRecords.findById(id) : null;
    if (!user) throw new UnauthorizedError('not_authenticated', 'Sign in to the admin panel again.');
    if (!user.isStaff) throw new NotStaffError();
    return asActor(user);
  }
}

function requirePassword(password: string): void {
  if (password.length < ADMIN_PASSWORD_MIN) {
    throw new BadRequestError('weak_password', `A password has at least ${ADMIN_PASSWORD_MIN} characters.`);
  }
}

/** The text as the API would accept it (the same DTO rules: trimmed, 1 to 4000 characters), or a 400. */
function messageText(text: string): string {
  if (text.includes('\u0000')) throw new BadRequestError('nul_character', 'NUL characters (\\u0000) are not allowed.');
  const dto = plainToInstance(SendMessageDto, { text });
  const problems = validateSync(dto).flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new BadRequestError('invalid_text', problems.join('; '));
  return dto.text;
}
