import type { BaseRecord, ResourceWithOptions } from 'adminjs';
import { Thread } from '../../../threads/src/thread.entity.js';
import { Components } from '../admin-components.js';
import type { AdminStatsRepository } from '../admin-stats.repository.js';
import type { AdminService } from '../admin.service.js';
import { CONVERSATIONS, OFF, onPost, recordIdOf } from './action-helpers.js';
import { ParleyResource } from './parley-resource.js';

/**
 * Adds what a thread row shows beside its columns: its participants, a name (the title; direct threads and untitled
 * groups have none, so their participants' names) and the label pickers show.
 */
async function decorateThreads(stats: AdminStatsRepository, records: BaseRecord[]): Promise<void> {
  const names = await stats.findParticipantNames(records.map((record) => Number(record.id())));
  for (const record of records) {
    const id = Number(record.id());
    const participants = names.get(id) ?? [];
    const title = record.get('title') as string | null;
    const name = title ?? (record.get('type') === 'group' ? `${participants.join(', ')} (untitled)` : participants.join(' & '));
    record.set('participants', participants.join(', '));
    record.set('name', name);
    record.set('label', `#${id} ${name}`);
  }
}

/**
 * Threads: list with participants, message count (a thread's last seq: seq is gapless) and last activity; filters by
 * type, participant and date; the show page lists the messages inline (ThreadMessages). Created by users only;
 * deleted through ThreadsService, which takes the messages with it and tells the participants live.
 */
export function threadsResource(admin: AdminService, stats: AdminStatsRepository): ResourceWithOptions {
  return {
    resource: new ParleyResource(Thread, {
      virtualFilters: {
        participant: (userId) => stats.findThreadIdsOfUser(Number(userId)),
        // The thread pickers (message filters and forms) search by the title property.
        label: (text) => stats.findThreadIdsMatching(text),
      },
      decorate: (records) => decorateThreads(stats, records),
    }),
    options: {
      navigation: CONVERSATIONS,
      titleProperty: 'label',
      sort: { sortBy: 'updatedAt', direction: 'desc' },
      listProperties: ['id', 'type', 'name', 'participants', 'lastSeq', 'updatedAt'],
      filterProperties: ['type', 'participant', 'title', 'createdAt', 'updatedAt'],
      showProperties: ['id', 'type', 'title', 'participants', 'createdById', 'lastSeq', 'createdAt', 'updatedAt', 'messages'],
      properties: {
        label: { isVisible: false },
        name: { type: 'string', isSortable: false, isVisible: { list: true, show: false, filter: false, edit: false } },
        type: {
          availableValues: [
            { value: 'direct', label: 'direct' },
            { value: 'group', label: 'group' },
          ],
        },
        participants: { type: 'string', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false } },
        participant: { type: 'reference', reference: 'User', isVisible: { list: false, show: false, filter: true, edit: false } },
        messages: { type: 'string', components: { show: Components.ThreadMessages }, isVisible: { list: false, show: true, filter: false, edit: false } },
        directUserLowId: { isVisible: false },
        directUserHighId: { isVisible: false },
      },
      actions: {
        delete: {
          handler: onPost(async (request, context) => {
            const record = context.record?.toJSON(context.currentAdmin);
            await admin.deleteThread(context.currentAdmin, recordIdOf(request));
            return {
              record,
              redirectUrl: context.h.resourceUrl({ resourceId: 'Thread' }),
              notice: { message: 'Thread deleted with its messages.', type: 'success' },
            };
          }),
        },
        new: OFF,
        edit: OFF,
        bulkDelete: OFF,
      },
    },
  };
}
