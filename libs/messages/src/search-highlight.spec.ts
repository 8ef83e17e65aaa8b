import { describe, expect, it } from '@jest/globals';
import { escapeHtml, highlightHtml, MATCH_END, MATCH_START } from './search-highlight.js';

const mark = (word: string): string => `${MATCH_START}${word}${MATCH_END}`;

describe('highlightHtml', () => {
  it('wraps the marked words in <mark> and escapes everything else', () => {
    expect(highlightHtml(`say ${mark('hello')} to <b>"${mark('bob')}"</b> & 'co'`)).toBe(
      'say <mark>hello</mark> to &lt;b&gt;&quot;<mark>bob</mark>&quot;&lt;/b&gt; &amp; &#39;co&#39;',
    );
  });

  it('escapes markup inside a match too, and leaves text without matches escaped only', () => {
    expect(highlightHtml(mark('<script>'))).toBe('<mark>&lt;script&gt;</mark>');
    expect(highlightHtml('no <match> here')).toBe('no &lt;match&gt; here');
  });

  it('never writes unbalanced tags, whatever the marks', () => {
    expect(highlightHtml(`${MATCH_END}a${MATCH_START}b${MATCH_START}c`)).toBe('a<mark>bc</mark>');
  });

  it('keeps astral characters whole', () => {
    expect(highlightHtml(`😀 ${mark('😀x')}`)).toBe('😀 <mark>😀x</mark>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });
});
