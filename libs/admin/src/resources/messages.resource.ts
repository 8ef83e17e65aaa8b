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
    // A tombstone's text is "": the list says what happened instead.
    if (record.get('deletedAt')) record.set('excerpt', '(deleted)');
    else record.set('excerpt', chars.length > EXCERPT_LENGTH ? `${chars.slice(0, EXCERPT_LENGTH - 1).join('')}…` : text);
  }
  return Promise.resolve();
}

const MESSAGE_FIELDS: Record<string, string> = {
  invalid_text: 'text',
  nul_character: 'text',
  unknown_users: 'senderId',
  not_a_participant: 'senderId',
  thread_not_found: 'threadId',
  message_deleted: 'text',
};
const fieldOf = (code: string): string | undefined => MESSAGE_FIELDS[code];

/**
 * Messages: list, filter by thread and sender, search in the text. "New" sends as the chosen sender through
 * MessagesService.send (live delivery, seq, read marker, counts as for any message). Messages are never removed one
 * by one (seq stays gapless, unread counts derive from seq): "edit" replaces the text and "delete" redacts it (a
 * tombstone, as when its sender deletes it), both through MessagesService's change path, announced live
 * (`message:updated`) like the sender's own edits and deletes.
 */
export function messagesResource(admin: AdminService): ResourceWithOptions {
  return {
    resource: new ParleyResource(Message, { decorate: decorateMessages }),
    options: {
      navigation: CONVERSATIONS,
      titleProperty: 'excerpt',
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'threadId', 'seq', 'senderId', 'excerpt', 'createdAt', 'editedAt', 'deletedAt'],
      filterProperties: ['threadId', 'senderId', 'text', 'createdAt'],
      showProperties: ['id', 'threadId', 'seq', 'senderId', 'text', 'clientMessageId', 'createdAt', 'editedAt', 'deletedAt'],
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
              'Message text replaced; its thread was told live.',
              context.h.recordActionUrl({ resourceId: 'Message', recordId: String(message.id), actionName: 'show' }),
            );
          }, fieldOf),
        },
        delete: {
          guard:
            'This deletes the text: the message stays in its place (same seq) as a tombstone, as when its sender deletes it, so history and unread counts stay consistent. Everyone in the thread sees it live.',
          handler: onPost(async (request, context) => {
            const message = await admin.redactMessage(context.currentAdmin, recordIdOf(request));
            return recordResponse(
              context,
              message.id,
              'Message redacted: it is now a tombstone (deleted), and its thread was told live.',
              context.h.resourceUrl({ resourceId: 'Message' }),
            );
          }),
        },
        bulkDelete: OFF,
      },
    },
  };
}
