import { Injectable } from '@nestjs/common';
import {
  BadRequestError,
  codePointLength,
  ConflictError,
  ForbiddenError,
  messageNotFound,
  threadNotFound,
  type Actor,
  JsonArrayText,
  resolvePageWindow,
  type Page,
  type SerializedPage,
  type PageLinks,
} from '../../common/src/index.js';
import { ThreadsService } from '../../threads/src/threads.service.js';
import type { ListMessagesQueryDto, MessageDto, MessageSearchResultDto, SearchMessagesQueryDto, SendMessageDto } from './dto/message.dto.js';
import { highlightHtml, MATCH_END, MATCH_START } from './search-highlight.js';
import { MAX_SEQ, MESSAGE_TEXT_MAX } from './message.entity.js';
import { toMessageDto, toMessageDtoWithFlags, type MessageRecord } from './message.mapper.js';
import { messagePageLinks, planMessageRange, withCount } from './message-window.js';
import { MessagesRepository } from './messages.repository.js';
import { MessageSendQueue } from './send-queue.js';
import { ReadersIndex, type ReadMarker } from './read-flags.js';

const MAX_DELIVERY_BACKLOG = 500;

/** What a redacted message says instead of its text. */
export const REDACTED_MESSAGE_TEXT = '[This message was removed by a moderator]';

@Injectable()
export class MessagesService {
  constructor(
    private readonly threads: ThreadsService,
    private readonly messages: MessagesRepository,
    private readonly sendQueue: MessageSendQueue,
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

  /**
   * Staff moderation: replaces a message's text. Messages are never deleted one by one (seq stays gapless, unread
   * counts are derived from seq), so an edit keeps the row, its seq, sender and time.
   * No live event: the contract has none for changed messages; clients see the new text when they fetch history.
   */
  async moderateText(actor: Actor, messageId: number, text: string): Promise<MessageRecord> {
    requireStaff(actor);
    const trimmed = text.trim();
    if (!trimmed || codePointLength(trimmed) > MESSAGE_TEXT_MAX || trimmed.includes('\u0000')) {
      throw new BadRequestError('invalid_text', `A message's text has 1 to ${MESSAGE_TEXT_MAX} characters (after trimming) and no NUL character.`);
    }
    return this.replaceText(messageId, trimmed);
  }

  /**
   * Staff moderation's "delete": the text is replaced by a fixed notice and the row stays, so seq stays gapless
   * and every participant's unread count stays right. A thread's messages go only with the thread.
   */
  async redact(actor: Actor, messageId: number): Promise<MessageRecord> {
    requireStaff(actor);
    return this.replaceText(messageId, REDACTED_MESSAGE_TEXT);
  }

  private async replaceText(messageId: number, text: string): Promise<MessageRecord> {
    if (!(await this.messages.replaceText(messageId, text))) throw messageNotFound();
    return (await this.messages.findById(messageId)) as MessageRecord;
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
