import type { BaseRecord, ResourceWithOptions } from 'adminjs';
import { BadRequestError } from '../../../common/src/index.js';
import { Message } from '../../../messages/src/message.entity.js';
import type { AdminService } from '../admin.service.js';
import { CONVERSATIONS, intField, OFF, onPost, recordIdOf, recordResponse, textField } from './action-helpers.js';
import { ParleyResource } from './parley-resource.js';

const EXCERPT_LENGTH = 80;

function decorateMessages(records: BaseRecord[]): Promise<void> {
  for (const record of records) {
    const text = String(record.get('text') ?? '');
    const chars = [...text];
    record.set('excerpt', chars.length > EXCERPT_LENGTH ? `${chars.slice(0, EXCERPT_LENGTH - 1).join('')}…` : text);
  }
  return Promise.resolve();
}

const MESSAGE_FIELDS: Record<string, string> = {
  invalid_text: 'text',
  nul_character: 'text',
  unknown_users: 'senderId',
  not_a_participant: 'senderId',
  thread_not_found: 'threadId',
};
const fieldOf = (code: string): string | undefined => MESSAGE_FIELDS[code];

/**
 * Messages: list, filter by thread and sender, search in the text. "New" sends as the chosen sender through
 * MessagesService.send (live delivery, seq, read marker, counts as for any message). Messages are never removed one
 * by one (seq stays gapless, unread counts derive from seq): "edit" replaces the text and "delete" redacts it, both
 * through MessagesService, keeping the row and its seq.
 */
export function messagesResource(admin: AdminService): ResourceWithOptions {
  return {
    resource: new ParleyResource(Message, { decorate: decorateMessages }),
    options: {
      navigation: CONVERSATIONS,
      titleProperty: 'excerpt',
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'threadId', 'seq', 'senderId', 'excerpt', 'createdAt'],
      filterProperties: ['threadId', 'senderId', 'text', 'createdAt'],
      showProperties: ['id', 'threadId', 'seq', 'senderId', 'text', 'clientMessageId', 'createdAt'],
      editProperties: ['threadId', 'senderId', 'text'],
      properties: {
        excerpt: { type: 'string', isSortable: false, isVisible: { list: true, show: false, filter: false, edit: false } },
        text: { type: 'textarea', isRequired: true },
        threadId: { isRequired: true, description: 'New messages only: a message never moves to another thread.' },
        senderId: { isRequired: true, description: 'New messages only: the message is sent as this participant, live to the others.' },
      },
      actions: {
        new: {
          handler: onPost(async (request, context) => {
            const message = await admin.sendAs(context.currentAdmin, {
              threadId: intField(request, 'threadId'),
              senderId: intField(request, 'senderId'),
              text: textField(request, 'text'),
            });
            return recordResponse(
              context,
              message.id,
              `Sent as ${message.sender.username}.`,
              context.h.recordActionUrl({ resourceId: 'Thread', recordId: String(message.threadId), actionName: 'show' }),
            );
          }, fieldOf),
        },
        edit: {
          handler: onPost(async (request, context) => {
            const current = context.record;
            const threadId = intField(request, 'threadId');
            const senderId = intField(request, 'senderId');
            if ((threadId && threadId !== Number(current?.get('threadId'))) || (senderId && senderId !== Number(current?.get('senderId')))) {
              throw new BadRequestError('invalid_text', 'Only the text of a message can be edited; its thread and sender stay.');
            }
            const message = await admin.editMessage(context.currentAdmin, recordIdOf(request), textField(request, 'text'));
            return recordResponse(
              context,
              message.id,
              'Message text replaced.',
              context.h.recordActionUrl({ resourceId: 'Message', recordId: String(message.id), actionName: 'show' }),
            );
          }, fieldOf),
        },
        delete: {
          guard: 'This replaces the text with a removal notice. The message keeps its place (seq) in the thread, so history and unread counts stay consistent.',
          handler: onPost(async (request, context) => {
            const message = await admin.redactMessage(context.currentAdmin, recordIdOf(request));
            return recordResponse(
              context,
              message.id,
              'Message redacted: its text was replaced by a removal notice.',
              context.h.resourceUrl({ resourceId: 'Message' }),
            );
          }),
        },
        bulkDelete: OFF,
      },
    },
  };
}
