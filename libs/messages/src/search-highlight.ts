/**
 * Marks around the matched words, as ts_headline writes them: two Unicode noncharacters, which the search statement
 * first removes from the text itself, so that every one in its output is a mark. Never HTML: the text around them is
 * escaped here, and only then do the marks become <mark> tags (ts_headline does not escape the user's markup).
 */
export const MATCH_START = '\uFDD0';
export const MATCH_END = '\uFDD1';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** ts_headline's output with the marks as <mark>…</mark> and everything else HTML-escaped. */
export function highlightHtml(marked: string): string {
  let html = '';
  let open = false;
  let segment = '';
  for (const character of marked) {
    if (character === MATCH_START || character === MATCH_END) {
      html += escapeHtml(segment);
      segment = '';
      const opening = character === MATCH_START;
      // Unbalanced marks cannot come from ts_headline; ignore them rather than write unbalanced tags.
      if (opening !== open) {
        html += opening ? '<mark>' : '</mark>';
        open = opening;
      }
      continue;
    }
    segment += character;
  }
  html += escapeHtml(segment);
  return open ? `${html}</mark>` : html;
}
