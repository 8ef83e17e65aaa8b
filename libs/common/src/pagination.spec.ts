import { describe, expect, it } from '@jest/globals';
import { offsetPageLinks, resolvePageWindow } from './pagination.js';

describe('pagination', () => {
  it('defaults to 50 from the start and clamps limits above 200', () => {
    expect(resolvePageWindow({})).toEqual({ limit: 50, offset: 0 });
    expect(resolvePageWindow({ limit: 201, offset: 10 })).toEqual({ limit: 200, offset: 10 });
    expect(resolvePageWindow({ limit: 7 })).toEqual({ limit: 7, offset: 0 });
  });

  it('links the next page only while items remain, and the previous one from any offset past 0', () => {
    expect(offsetPageLinks(120, { limit: 50, offset: 0 })).toEqual({ next: { limit: 50, offset: 50 }, previous: null });
    expect(offsetPageLinks(120, { limit: 50, offset: 100 })).toEqual({ next: null, previous: { limit: 50, offset: 50 } });
    expect(offsetPageLinks(120, { limit: 50, offset: 30 })).toEqual({ next: { limit: 50, offset: 80 }, previous: { limit: 50, offset: 0 } });
  });
});
