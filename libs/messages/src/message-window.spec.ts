import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/src/index.js';
import { messagePageLinks, planMessageWindow } from './message-window.js';

describe('planMessageWindow', () => {
  it('turns limit/offset into a seq range with a derived count', () => {
    expect(planMessageWindow({ limit: 10, offset: 20 }, 100)).toMatchObject({ kind: 'forward', afterSeq: 20, limit: 10, count: 100 });
  });

  it('applies the default page size and clamps large limits to 200', () => {
    expect(planMessageWindow({}, 5)).toMatchObject({ limit: 50, count: 5 });
    expect(planMessageWindow({ limit: 10_000 }, 5)).toMatchObject({ limit: 200 });
  });

  it('counts only what lies after afterSeq', () => {
    expect(planMessageWindow({ afterSeq: 90 }, 100)).toMatchObject({ kind: 'forward', afterSeq: 90, count: 10 });
    expect(planMessageWindow({ afterSeq: 150 }, 100)).toMatchObject({ count: 0 });
  });

  it('pages backwards from beforeSeq and refuses an offset with it', () => {
    expect(planMessageWindow({ beforeSeq: 51, limit: 20 }, 100)).toMatchObject({ kind: 'backward', beforeSeq: 51, limit: 20, count: 50 });
    expect(() => planMessageWindow({ beforeSeq: 51, offset: 3 }, 100)).toThrow(DomainError);
  });
});

describe('messagePageLinks', () => {
  it('links older and newer pages when scrolling up', () => {
    const plan = planMessageWindow({ beforeSeq: 51, limit: 20 }, 100);
    expect(messagePageLinks(plan, [31, 50], 100)).toEqual({
      next: { limit: 20, beforeSeq: 31 },
      previous: { limit: 20, beforeSeq: undefined, afterSeq: 50 },
    });
  });

  it('has no older page at the start of the thread', () => {
    const plan = planMessageWindow({ beforeSeq: 5, limit: 20 }, 100);
    expect(messagePageLinks(plan, [1, 2, 3, 4], 100).next).toBeNull();
  });
});
