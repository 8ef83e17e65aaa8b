import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/src/index.js';
import { planNewThread } from './thread-rules.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not-a-domain-error';
  }
  return undefined;
}

describe('planNewThread', () => {
  it('makes a direct thread from two people in total, with the pair ordered', () => {
    expect(planNewThread(9, { participants: [4] })).toEqual({ type: 'direct', lowUserId: 4, highUserId: 9, participantIds: [9, 4] });
  });

  it('lets the creator list itself, and ignores repeated ids', () => {
    expect(planNewThread(9, { participants: [9, 4, 4], type: 'direct' })).toMatchObject({ type: 'direct', lowUserId: 4, highUserId: 9 });
  });

  it('makes a group from three or more people, which needs a title', () => {
    expect(planNewThread(1, { participants: [2, 3], title: '  Hiring team ' })).toEqual({ type: 'group', title: 'Hiring team', participantIds: [1, 2, 3] });
    expect(codeOf(() => planNewThread(1, { participants: [2, 3] }))).toBe('group_title_required');
  });

  it('allows a two-person group when asked for explicitly', () => {
    expect(planNewThread(1, { participants: [2], type: 'group', title: 'Pair' })).toMatchObject({ type: 'group', participantIds: [1, 2] });
  });

  it('refuses a direct thread with more or fewer than two people, or with a title', () => {
    expect(codeOf(() => planNewThread(1, { participants: [2, 3], type: 'direct' }))).toBe('direct_thread_needs_two');
    expect(codeOf(() => planNewThread(1, { participants: [1] }))).toBe('no_other_participants');
    expect(codeOf(() => planNewThread(1, { participants: [2], title: 'x' }))).toBe('direct_thread_has_no_title');
  });
});
