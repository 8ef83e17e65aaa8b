import { Injectable } from '@nestjs/common';
import {
  BadRequestError,
  DomainEvents,
  ForbiddenError,
  NotFoundError,
  resolvePageWindow,
  threadNotFound,
  type Actor,
  JsonArrayText,
  type SerializedPage,
  type PageQueryDto,
} from '../../common/src/index.js';
import { UsersRepository } from '../../users/src/users.repository.js';
import type { CreateThreadDto, ThreadDto } from './dto/thread.dto.js';
import type { Participant } from './participant.entity.js';
import type { Thread } from './thread.entity.js';
import { toThreadDto, toThreadViewsByViewer } from './thread.mapper.js';
import { planNewThread } from './thread-rules.js';
import { ThreadsRepository } from './threads.repository.js';

/** The caller's membership of a thread: its participant row and the thread. */
export interface Membership {
  participant: Participant;
  thread: Thread;
}

@Injectable()
export class ThreadsService {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly users: UsersRepository,
    private readonly events: DomainEvents,
  ) {}

  /** Access check for every thread route: a thread the caller is not in answers exactly like one that does not exist. */
  async requireMembership(actor: Actor, threadId: number): Promise<Membership> {
    const participant = await this.threads.findThreadForParticipant(threadId, actor.id);
    if (!participant?.thread) throw threadNotFound();
    return { participant, thread: participant.thread };
  }

  async create(actor: Actor, request: CreateThreadDto): Promise<{ thread: ThreadDto; created: boolean }> {
    const plan = planNewThread(actor.id, request);
    const existing = await this.users.findExistingIds(plan.participantIds);
    const unknown = plan.participantIds.filter((id) => !existing.has(id));
    if (unknown.length > 0) throw new BadRequestError('unknown_users', `No such user: ${unknown.join(', ')}.`);

    let threadId: number;
    let created: boolean;
    if (plan.type === 'direct') {
      ({ threadId, created } = await this.threads.findOrCreateDirectThread(plan.lowUserId, plan.highUserId, actor.id));
    } else {
      threadId = await this.threads.createGroupThread(plan.title, actor.id, plan.participantIds);
      created = true;
    }
    if (created) this.events.publish({ type: 'thread.created', threadId, participantIds: plan.participantIds });
    return { thread: await this.get(actor, threadId), created };
  }

  /** The caller's threads, most recently active first; serialized by the database. */
  async list(actor: Actor, query: PageQueryDto): Promise<SerializedPage<ThreadDto>> {
    const window = resolvePageWindow(query);
    const { total, json } = await this.threads.findThreadPageForParticipantAsJson(actor.id, window.limit, window.offset);
    return { count: total, window, results: new JsonArrayText<ThreadDto>(json) };
  }

  async get(actor: Actor, threadId: number): Promise<ThreadDto> {
    const { participant } = await this.requireMembership(actor, threadId);
    const [view] = await this.toViews([participant]);
    return view;
  }

  /** A direct thread may be deleted by either participant, a group by its owner only. Messages go with it. */
  async delete(actor: Actor, threadId: number): Promise<void> {
    const { participant, thread } = await this.requireMembership(actor, threadId);
    if (thread.type === 'group' && participant.role !== 'owner') {
      throw new ForbiddenError('not_thread_owner', 'Only the group owner can delete a group.');
    }
    const participantIds = await this.threads.findParticipantIds(threadId);
    await this.threads.deleteThread(threadId);
    this.events.publish({ type: 'thread.deleted', threadId, participantIds });
  }

  async addParticipant(actor: Actor, threadId: number, userId: number): Promise<{ thread: ThreadDto; added: boolean }> {
    const { participant, thread } = await this.requireMembership(actor, threadId);
    if (thread.type === 'direct') throw new BadRequestError('direct_thread_members_fixed', 'A direct thread always has exactly its two participants.');
    if (participant.role !== 'owner') throw new ForbiddenError('not_thread_owner', 'Only the group owner can add members.');
    if (!(await this.users.findById(userId))) throw new BadRequestError('unknown_users', `No such user: ${userId}.`);
    const added = await this.threads.addParticipant(threadId, userId);
    if (added) {
      const participantIds = await this.threads.findParticipantIds(threadId);
      this.events.publish({ type: 'thread.updated', threadId, participantIds, removedUserIds: [] });
    }
    return { thread: await this.get(actor, threadId), added };
  }

  /** The owner removes anyone; a member removes only itself (leaving). */
  async removeParticipant(actor: Actor, threadId: number, userId: number): Promise<void> {
    const { participant, thread } = await this.requireMembership(actor, threadId);
    if (thread.type === 'direct') throw new BadRequestError('direct_thread_members_fixed', 'A direct thread always has exactly its two participants.');
    if (userId !== actor.id && participant.role !== 'owner') {
      throw new ForbiddenError('not_thread_owner', 'Only the group owner can remove other members; you can remove yourself.');
    }
    const outcome = await this.threads.removeParticipant(threadId, userId);
    if (!outcome.removed) throw new NotFoundError('participant_not_found', `User ${userId} is not a member of this thread.`);
    if (outcome.threadDeleted) {
      this.events.publish({ type: 'thread.deleted', threadId, participantIds: [userId] });
    } else {
      this.events.publish({ type: 'thread.updated', threadId, participantIds: outcome.remainingIds, removedUserIds: [userId] });
    }
  }

  /** The thread as each of its participants sees it, those who see the same together (live notifications, not an actor's request). */
  async viewsForParticipants(threadId: number): Promise<{ userIds: number[]; thread: ThreadDto }[]> {
    const [members, lastMessages] = await Promise.all([this.threads.findMembersOfThread(threadId), this.threads.findLastMessages([threadId])]);
    const thread = members[0]?.membership.thread;
    if (!thread) return [];
    return toThreadViewsByViewer(
      thread,
      members.map((m) => m.membership),
      members.map((m) => m.member),
      lastMessages.get(threadId),
    );
  }

  /** Views of the caller's threads in a constant number of queries, whatever the page size. */
  private async toViews(rows: Participant[]): Promise<ThreadDto[]> {
    const threadIds = rows.map((row) => row.threadId);
    const [participants, lastMessages] = await Promise.all([this.threads.findParticipantsWithUsers(threadIds), this.threads.findLastMessages(threadIds)]);
    const byThread = new Map<number, typeof participants>();
    for (const p of participants) {
      const list = byThread.get(p.threadId);
      if (list) list.push(p);
      else byThread.set(p.threadId, [p]);
    }
    return rows.map((row) => toThreadDto(row.thread as Thread, row, byThread.get(row.threadId) ?? [], lastMessages.get(row.threadId)));
  }
}
