import { describe, expect, it } from '@jest/globals';
import { decodeEntities, emphasis, messageBody, renderHighlight, shortTime, table, truncate, userTable } from './format.js';

describe('readable output', () => {
  it('shows a time as short as is still clear, in the local zone', () => {
    const now = new Date(2026, 11, 8, 15, 0);
    expect(shortTime(new Date(2026, 11, 8, 9, 5).toISOString(), now)).toBe('09:05');
    expect(shortTime(new Date(2026, 11, 7, 23, 59).toISOString(), now)).toBe('Dec 7 23:59');
    expect(shortTime(new Date(2025, 11, 8, 9, 5).toISOString(), now)).toBe('2025-12-08');
    expect(shortTime('not a date', now)).toBe('not a date');
  });

  it('aligns columns, numbers to the right, without trailing spaces', () => {
    expect(
      table(
        [
          ['#1', 'with bob', '12', 'hi'],
          ['#100', 'x', '3', ''],
        ],
        [2],
      ),
    ).toEqual(['#1    with bob  12  hi', '#100  x          3']);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
  });

  it('shows a deleted message as a tombstone and marks an edited one', () => {
    expect(messageBody({ text: '', editedAt: null, deletedAt: '2026-12-08T00:00:00.000Z' })).toBe('(message deleted)');
    expect(messageBody({ text: 'fixed', editedAt: '2026-12-08T00:00:00.000Z', deletedAt: null })).toBe('fixed (edited)');
    expect(messageBody({ text: 'a\nb' })).toBe('a ⏎ b');
  });

  it('turns a search highlight into terminal text: matches emphasised, entities decoded once, controls escaped', () => {
    expect(decodeEntities('&lt;b&gt; &amp;lt; &quot;x&quot; &#39;y&#x27; &bogus; &#0;')).toBe(`<b> &lt; "x" 'y' &bogus; &#0;`);
    expect(renderHighlight('say <mark>hello</mark> to &lt;b&gt;<mark>bob</mark>&lt;/b&gt;', emphasis(false))).toBe('say *hello* to <b>*bob*</b>');
    expect(renderHighlight('<mark>hi</mark>', emphasis(true))).toBe('\u001b[1mhi\u001b[22m');
    // An escape sequence written in the message as a character reference is still someone else's text.
    expect(renderHighlight('&#27;[31m<mark>red</mark>', emphasis(false))).toBe('\\u001b[31m*red*');
  });

  it('lists users with an online column when the API says who is online', () => {
    const bob = { id: 2, username: 'bob', displayName: 'Bob Baker' };
    const carol = { id: 3, username: 'carolyn', displayName: 'Carol' };
    expect(userTable([bob, carol])).toEqual(['USERNAME  NAME', 'bob       Bob Baker', 'carolyn   Carol']);
    expect(
      userTable([
        { ...bob, online: true },
        { ...carol, online: false },
      ]),
    ).toEqual(['USERNAME  NAME       STATUS', 'bob       Bob Baker  online', 'carolyn   Carol      offline']);
    expect(userTable([])).toEqual([]);
  });
});
