import { api, displayName, threadName } from './api.js';
import { el, shortTime } from './dom.js';

const RESULTS_PER_PAGE = 20;
const TYPING_PAUSE_MS = 250;
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * A search result's `highlight` as nodes: text, with <mark> elements around the matches. The server escapes
 * everything but its own <mark> tags; still, nothing from it is ever parsed as HTML here: the string is split on
 * those two tags and the five entities it writes are decoded back to text.
 */
export function highlightNodes(highlight) {
  const nodes = [];
  let mark = null;
  for (const part of highlight.split(/(<\/?mark>)/)) {
    if (part === '<mark>') mark = el('mark');
    else if (part === '</mark>') {
      if (mark) nodes.push(mark);
      mark = null;
    } else if (part) {
      const text = document.createTextNode(part.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]));
      if (mark) mark.append(text);
      else nodes.push(text);
    }
  }
  if (mark) nodes.push(mark);
  return nodes;
}

/** Where a result opens: its conversation, at its seq (thread.js loads the messages around it). */
export const messageHref = (message) => `/threads/${message.threadId}?seq=${message.seq}`;

/** The header's message search: results as the person types, each opening its conversation at that message. */
export function startMessageSearch(me) {
  const form = document.getElementById('message-search');
  const input = document.getElementById('message-search-text');
  const panel = document.getElementById('search-panel');
  const summary = document.getElementById('search-summary');
  const results = document.getElementById('search-results');
  const more = document.getElementById('search-more');
  const threadNames = new Map();
  let asked = 0;
  let next = null;
  let timer;

  async function nameOf(threadId) {
    if (!threadNames.has(threadId)) {
      // One request for the names of all the caller's conversations; a thread outside the first 200 on its own.
      if (threadNames.size === 0) {
        const page = await api('/api/v1/threads/?limit=200');
        for (const thread of page.results) threadNames.set(thread.id, threadName(thread, me));
      }
      if (!threadNames.has(threadId)) threadNames.set(threadId, threadName(await api(`/api/v1/threads/${threadId}/`), me));
    }
    return threadNames.get(threadId);
  }

  async function resultItem(message) {
    return el(
      'li',
      { className: 'search-result', dataset: { threadId: message.threadId, seq: message.seq } },
      el(
        'a',
        { href: messageHref(message) },
        el('span', { className: 'where' }, await nameOf(message.threadId)),
        el('time', { className: 'when', datetime: message.createdAt }, shortTime(message.createdAt)),
        el('span', { className: 'sender' }, message.sender.id === me.id ? 'You' : displayName(message.sender)),
        el('span', { className: 'highlight' }, ...highlightNodes(message.highlight)),
      ),
    );
  }

  /** One page of results; a later query makes the answers to earlier ones stale (they are dropped). */
  async function show(query, { append }) {
    const ask = ++asked;
    const page = await api(append ? next : `/api/v1/messages/search/?q=${encodeURIComponent(query)}&limit=${RESULTS_PER_PAGE}`).catch((failure) => ({
      failure,
    }));
    if (ask !== asked) return;
    panel.hidden = false;
    if (page.failure) {
      summary.textContent = page.failure.message;
      return;
    }
    const items = await Promise.all(page.results.map(resultItem));
    if (ask !== asked) return;
    if (append) results.append(...items);
    else results.replaceChildren(...items);
    summary.textContent = page.count === 0 ? `No messages match “${query}”.` : `${page.count} ${page.count === 1 ? 'message' : 'messages'}`;
    next = page.next;
    more.hidden = !next;
  }

  function close() {
    asked += 1;
    panel.hidden = true;
    results.replaceChildren();
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!query) close();
    else timer = setTimeout(() => show(query, { append: false }), TYPING_PAUSE_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const query = input.value.trim();
    if (query) show(query, { append: false });
  });
  more.addEventListener('click', () => next && show(input.value.trim(), { append: true }));
  // Escape in the box or the results closes them and returns to the box.
  for (const target of [input, panel]) {
    target.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || panel.hidden) return;
      event.preventDefault();
      close();
      input.focus();
    });
  }
}
