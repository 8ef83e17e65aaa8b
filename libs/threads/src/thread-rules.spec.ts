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

  it('makes a group from three or more people, with a title or untitled (null)', () => {
    expect(planNewThread(1, { participants: [2, 3], title: '  Hiring team ' })).toEqual({ type: 'group', title: 'Hiring team', participantIds: [1, 2, 3] });
    expect(planNewThread(1, { participants: [2, 3] })).toEqual({ type: 'group', title: null, participantIds: [1, 2, 3] });
    expect(planNewThread(1, { participants: [2, 3], title: null })).toMatchObject({ type: 'group', title: null });
  });

  it('counts the caller once when it lists itself: [caller, 2, 3] is a group of three', () => {
    expect(planNewThread(2, { participants: [2, 3, 4] })).toEqual({ type: 'group', title: null, participantIds: [2, 3, 4] });
  });

  it('refuses a blank group title (null, or no title, says "untitled")', () => {
    expect(codeOf(() => planNewThread(1, { participants: [2, 3], title: '   ' }))).toBe('blank_title');
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
