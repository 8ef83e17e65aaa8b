import { Injectable } from '@nestjs/common';
import {
  BadRequestError,
  codePointLength,
  ConflictError,
  ForbiddenError,
  messageNotFound,
  threadNotFound,
  type Actor,
  DomainEvents,
  JsonArrayText,
  resolvePageWindow,
  type Page,
  type SerializedPage,
  type PageLinks,
} from '../../common/src/index.js';
import { ThreadsService } from '../../threads/src/threads.service.js';
import type { EditMessageDto, ListMessagesQueryDto, MessageDto, MessageSearchResultDto, SearchMessagesQueryDto, SendMessageDto } from './dto/message.dto.js';
import { highlightHtml, MATCH_END, MATCH_START } from './search-highlight.js';
import { MAX_SEQ, MESSAGE_TEXT_MAX } from './message.entity.js';
import { toMessageDto, toMessageDtoWithFlags, type MessageRecord } from './message.mapper.js';
import { messagePageLinks, planMessageRange, withCount } from './message-window.js';
import { MessagesRepository, type MessageChange } from './messages.repository.js';
import { MessageSendQueue } from './send-queue.js';
import { ReadersIndex, type ReadMarker } from './read-flags.js';

const MAX_DELIVERY_BACKLOG = 500;

/** A message just changed, with every participant's read marker in the change's transaction. */
interface ChangedMessage {
  message: MessageRecord;
  readers: ReadMarker[];
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly threads: ThreadsService,
    private readonly messages: MessagesRepository,
    private readonly sendQueue: MessageSendQueue,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Stores and announces a message. With a clientMessageId the sender already used, answers the existing
   * message (`created: false`) and stores and announces nothing.
   */
  async send(actor: Actor, threadId: number, request: SendMessageDto): Promise<{ message: MessageDto; created: boolean }> {
    const clientMessageId = request.clientMessageId ?? null;
    // The insert is the access check: it stores a message only for a participant of the thread. When it stored
    // nothing, find out why, access first: not a participant (404), or a retry. Its batch announces what it stored.
    const stored = await this.sendQueue.enqueue({ threadId, senderId: actor.id, text: request.text, clientMessageId });
    if (!stored) {
      await this.threads.requireMembership(actor, threadId);
      if (clientMessageId === null) throw threadNotFound();
      // Sent before (a retry, or a concurrent send of the same clientMessageId): that one is the message.
      const existing = await this.messages.findBySenderAndClientId(actor.id, clientMessageId);
      // None: the thread went, or the sender left it, in the meantime.
      if (!existing) throw threadNotFound();
      return { message: await this.existingForRetry(actor, threadId, existing), created: false };
    }
    return { message: toMessageDtoWithFlags(stored.record, { readByMe: true, isRead: stored.readState.isRead }), created: true };
  }

  /**
   * History, oldest first: limit/offset, afterSeq (catch-up) and beforeSeq (scrolling up); serialized by the database.
   * The statement that reads the page checks the membership (a thread the caller is not in has no page: 404).
   */
  async list(actor: Actor, threadId: number, query: ListMessagesQueryDto): Promise<{ page: SerializedPage<MessageDto>; links: PageLinks }> {
    const range = planMessageRange(query);
    const found = await this.messages.findPageForParticipantAsJson(threadId, actor.id, {
      direction: range.kind,
      afterSeq: range.afterSeq,
      beforeSeq: range.kind === 'backward' ? range.beforeSeq : MAX_SEQ,
      limit: range.limit,
    });
    if (!found) throw threadNotFound();
    const plan = withCount(range, query, found.threadLastSeq);
    const seqs = found.firstSeq === null || found.lastSeq === null ? [] : [found.firstSeq, found.lastSeq];
    return {
      page: { count: plan.count, window: plan.window, results: new JsonArrayText<MessageDto>(found.json) },
      links: messagePageLinks(plan, seqs, found.threadLastSeq),
    };
  }

  /** The caller's messages matching a search box's text, newest first; `threadId` narrows to one of its threads. */
  async search(actor: Actor, query: SearchMessagesQueryDto): Promise<Page<MessageSearchResultDto>> {
    if (query.threadId !== undefined) await this.threads.requireMembership(actor, query.threadId);
    const window = resolvePageWindow(query);
    const { hits, count } = await this.messages.searchForParticipant(actor.id, {
      text: query.q,
      threadId: query.threadId ?? null,
      limit: window.limit,
      offset: window.offset,
      matchStart: MATCH_START,
      matchEnd: MATCH_END,
    });
    return {
      count,
      window,
      results: hits.map(({ readByMe, isRead, marked, ...record }) => ({
        ...toMessageDtoWithFlags(record, { readByMe, isRead }),
        highlight: highlightHtml(marked),
      })),
    };
  }

  /**
   * Stored messages with afterSeq < seq < beforeSeq, oldest first, for live delivery of messages an instance did not
   * receive. No actor: the live layer delivers only to the thread's participants.
   */
  findForDelivery(threadId: number, afterSeq: number, beforeSeq: number): Promise<MessageRecord[]> {
    // At most this many: past them the seqs jump, and a client closes the gap with afterSeq, as after a reconnect.
    const limit = Math.min(MAX_DELIVERY_BACKLOG, Math.max(0, beforeSeq - afterSeq - 1));
    return this.messages.findAfterSeq(threadId, afterSeq, limit).then((records) => records.filter((record) => record.seq < beforeSeq));
  }

  /** The sender changes its message's text: editedAt set; seq, time and read state stay. */
  async edit(actor: Actor, messageId: number, request: EditMessageDto): Promise<MessageDto> {
    // Never null: editing a tombstone is refused.
    const changed = (await this.change(messageId, { kind: 'edit', text: request.text }, actor)) as ChangedMessage;
    return toMessageDto(changed.message, { userId: actor.id, lastReadSeq: 0 }, ReadersIndex.fromMarkers(changed.readers));
  }

  /**
   * The sender deletes its message: it stays as a tombstone (same id and seq, text "", deletedAt set), so seq stays
   * gapless and unread counts stay exact. Deleting a tombstone again changes and announces nothing.
   */
  async delete(actor: Actor, messageId: number): Promise<void> {
    await this.change(messageId, { kind: 'delete' }, actor);
  }

  /** Staff moderation: replaces any message's text, exactly as its sender's edit would (and announced the same way). */
  async moderateText(actor: Actor, messageId: number, text: string): Promise<MessageRecord> {
    requireStaff(actor);
    const trimmed = text.trim();
    if (!trimmed || codePointLength(trimmed) > MESSAGE_TEXT_MAX || trimmed.includes('\u0000')) {
      throw new BadRequestError('invalid_text', `A message's text has 1 to ${MESSAGE_TEXT_MAX} characters (after trimming) and no NUL character.`);
    }
    return ((await this.change(messageId, { kind: 'edit', text: trimmed }, null)) as ChangedMessage).message;
  }

  /** Staff moderation's "delete": the message becomes a tombstone, exactly as when its sender deletes it. */
  async redact(actor: Actor, messageId: number): Promise<MessageRecord> {
    requireStaff(actor);
    // A tombstone already: nothing changed, the panel shows it as it is.
    return (await this.change(messageId, { kind: 'delete' }, null))?.message ?? ((await this.messages.findById(messageId)) as MessageRecord);
  }

  /**
   * Applies an edit or a delete under the message's row lock and announces it after the commit. `viewer`: the actor,
   * who must be its sender (the message must be in one of its threads and its own), or null for staff (any message). A refused
   * change changes nothing. Answers the changed message with the thread's markers, or null when nothing changed
   * (deleting a tombstone again).
   */
  private async change(messageId: number, change: MessageChange, viewer: Actor | null): Promise<ChangedMessage | null> {
    const outcome = await this.messages.changeLocked(messageId, viewer?.id ?? null, (target) => {
      if (!target) throw messageNotFound();
      if (viewer && target.senderId !== viewer.id) throw new ForbiddenError('not_message_sender', 'Only its sender can edit or delete a message.');
      if (target.deletedAt === null) return change;
      if (change.kind === 'delete') return null;
      throw new ConflictError('message_deleted', 'This message was deleted; it cannot be edited.');
    });
    if (!outcome.changed) return null;
    const { message, readers } = outcome;
    this.events.publish({ type: 'message.updated', threadId: message.threadId, message, readers });
    return { message, readers };
  }

  private async existingForRetry(actor: Actor, threadId: number, existing: MessageRecord): Promise<MessageDto> {
    if (existing.threadId !== threadId) {
      throw new ConflictError('client_message_id_reused', 'This clientMessageId was already used for a message in another thread.');
    }
    return this.present(actor, existing);
  }

  /** A message as its sender sees it right after sending. */
  private async present(actor: Actor, message: MessageRecord): Promise<MessageDto> {
    const markers = await this.messages.findTwoLowestMarkers(message.threadId);
    const viewer: ReadMarker = { userId: actor.id, lastReadSeq: message.seq };
    return toMessageDto(message, viewer, ReadersIndex.fromMarkers(markers));
  }
}

function requireStaff(actor: Actor): void {
  if (!actor.isStaff) throw new ForbiddenError('staff_only', 'Only staff can moderate messages.');
}
