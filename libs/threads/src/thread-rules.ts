import { BadRequestError } from '../../common/src/index.js';
import type { ThreadType } from './thread.entity.js';

export type NewThreadPlan =
  | { type: 'direct'; lowUserId: number; highUserId: number; participantIds: [number, number] }
  | { type: 'group'; title: string | null; participantIds: number[] };

/**
 * The participants rule: the creator is always in; two people in total make a direct thread, more make a group
 * (with a title or without: null, and clients name it by its members). An explicit type must agree with the count.
 */
export function planNewThread(creatorId: number, requested: { participants: number[]; type?: ThreadType; title?: string | null }): NewThreadPlan {
  const participantIds = [...new Set([creatorId, ...requested.participants])];
  const others = participantIds.length - 1;
  const type = requested.type ?? (others === 1 ? 'direct' : 'group');
  const title = requested.title?.trim();

  if (others === 0) throw new BadRequestError('no_other_participants', 'A thread needs at least one participant besides you.');
  if (type === 'direct') {
    if (others !== 1) throw new BadRequestError('direct_thread_needs_two', 'A direct thread has exactly two participants: you and one other user.');
    if (title) throw new BadRequestError('direct_thread_has_no_title', 'A direct thread has no title; create a group to give it one.');
    const [a, b] = participantIds as [number, number];
    return { type: 'direct', lowUserId: Math.min(a, b), highUserId: Math.max(a, b), participantIds: [a, b] };
  }
  // Blank is neither a title nor a way to say "none" (that is null, or no title at all).
  if (title === '') throw new BadRequestError('blank_title', 'A title needs some text; leave it out (or send null) for an untitled group.');
  return { type: 'group', title: title ?? null, participantIds };
}
