import { BaseProperty, BaseRecord, type ResourceWithOptions } from 'adminjs';
import { Participant } from '../../../threads/src/participant.entity.js';
import { unreadCount } from '../../../threads/src/unread.js';
import type { AdminStatsRepository } from '../admin-stats.repository.js';
import { CONVERSATIONS, OFF } from './action-helpers.js';
import { ParleyResource } from './parley-resource.js';

const KEY = new BaseProperty({ path: 'key', type: 'string', isId: true, isSortable: false });

/** A column of the composite primary key: still the column, no longer the record id on its own. */
const keyPart = <P extends BaseProperty>(property: P): P => Object.assign(Object.create(property) as P, { isId: () => false });

/**
 * Participants are keyed by (thread, user): AdminJS wants one id per record, so records carry `key` = "thread-user".
 * Each row also shows its unread count, from the same O(1) expression as the API.
 */
class ParticipantResource extends ParleyResource {
  private keyedProperties?: ReturnType<ParleyResource['properties']>;

  constructor(private readonly stats: AdminStatsRepository) {
    super(Participant);
  }

  override properties(): ReturnType<ParleyResource['properties']> {
    this.keyedProperties ??= [
      KEY as ReturnType<ParleyResource['properties']>[number],
      ...super.properties().map((property) => (property.isId() ? keyPart(property) : property)),
    ];
    return this.keyedProperties;
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const match = /^(\d{1,9})-(\d{1,9})$/.exec(String(id));
    if (!match) return null;
    const row = await Participant.findOneBy({ threadId: Number(match[1]), userId: Number(match[2]) });
    return row ? (await this.decorated([new BaseRecord(row, this)]))[0] : null;
  }

  protected override async decorated(records: BaseRecord[]): Promise<BaseRecord[]> {
    const lastSeqs = await this.stats.findLastSeqs(records.map((record) => Number(record.get('threadId'))));
    for (const record of records) {
      const threadId = Number(record.get('threadId'));
      record.set('key', `${threadId}-${String(record.get('userId'))}`);
      const marker = { lastReadSeq: Number(record.get('lastReadSeq')), ownAfterMarker: Number(record.get('ownAfterMarker')) };
      record.set('unread', unreadCount(lastSeqs.get(threadId) ?? 0, marker));
    }
    return records;
  }
}

/** Participants with their read markers: read-only (membership changes belong to the thread's members). */
export function participantsResource(stats: AdminStatsRepository): ResourceWithOptions {
  return {
    resource: new ParticipantResource(stats),
    options: {
      navigation: CONVERSATIONS,
      sort: { sortBy: 'threadId', direction: 'desc' },
      listProperties: ['threadId', 'userId', 'role', 'lastReadSeq', 'unread', 'readAt', 'joinedAt'],
      filterProperties: ['threadId', 'userId', 'role'],
      showProperties: ['threadId', 'userId', 'role', 'lastReadSeq', 'ownAfterMarker', 'unread', 'readAt', 'joinedAt'],
      properties: {
        key: { isVisible: false },
        unread: { type: 'number', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false } },
        role: {
          availableValues: [
            { value: 'owner', label: 'owner' },
            { value: 'member', label: 'member' },
          ],
        },
      },
      actions: { new: OFF, edit: OFF, delete: OFF, bulkDelete: OFF },
    },
  };
}
