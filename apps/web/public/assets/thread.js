import { api, displayName, threadName } from './api.js';
import { el, shortTime } from './dom.js';
import { addMessageActions, laterContent, showContent } from './message-actions.js';
import { noteUsers, presenceDot } from './presence.js';
import { startShell } from './shell.js';

const threadId = Number(document.body.dataset.threadId);
const list = document.getElementById('messages');
const form = document.getElementById('reply');
const input = document.getElementById('reply-text');
const sendButton = document.getElementById('send');
const typingLine = document.getElementById('typing');
const READ_AFTER_HOVER_MS = 500;
/** The largest seq PostgreSQL stores: `beforeSeq` past every message asks for the latest page. */
const MAX_SEQ = 2_147_483_647;
const PAGE = 50;
/** A search result opens the conversation at its message: `?seq=N`. */
const foundSeq = Number(new URLSearchParams(location.search).get('seq')) || 0;

const { me, socket, onReconnect } = await startShell();
const thread = await api(`/api/v1/threads/${threadId}/`);
noteUsers(thread.participants);
const directWith = thread.type === 'direct' ? thread.participants.find((p) => p.id !== me.id) : null;
document.getElementById('thread-title').replaceChildren(directWith ? presenceDot(directWith.id) : '', threadName(thread, me));
document.title = `${threadName(thread, me)} · Parley`;
document
  .getElementById('thread-members')
  .append(...thread.participants.map((p) => el('span', { className: 'member', dataset: { userId: p.id } }, presenceDot(p.id), displayName(p))));
const names = new Map(thread.participants.map((p) => [p.id, displayName(p)]));

/** seq → message; pending sends live in `pending` until acknowledged. */
const messages = new Map();
const pending = new Map();
let oldestSeq = Infinity;
let newestSeq = 0;
let noOlder = false;
/** The newest message is shown. Not while reading an older stretch: newer pages load when scrolled to. */
let atEnd = true;
let loadingNewer = false;

const isMine = (message) => message.sender.id === me.id;

function render(message) {
  const mine = isMine(message);
  const item = el(
    'li',
    { className: `message${mine ? ' mine' : ''}`, dataset: { seq: message.seq, id: message.id }, tabindex: '-1' },
    el(
      'div',
      { className: 'meta' },
      el('span', { className: 'sender' }, mine ? 'You' : displayName(message.sender)),
      ' ',
      el('time', { datetime: message.createdAt }, shortTime(message.createdAt)),
      ' ',
      el('span', { className: 'edited', hidden: true }, 'edited'),
    ),
    el('p', { className: 'text' }),
    el(
      'div',
      { className: 'status' },
      mine ? el('span', { className: 'ticks' }) : el('button', { type: 'button', className: 'link mark-unread' }, 'Mark as unread'),
    ),
  );
  if (mine && !message.deletedAt) {
    addMessageActions(item, () => messages.get(message.seq) ?? message, {
      save: (text) => api(`/api/v1/messages/${message.id}/`, { method: 'PATCH', body: { text } }).then(applyContent),
      // 204: the tombstone as the server makes it (text "", deletedAt); its message:updated brings the stored one.
      remove: () =>
        api(`/api/v1/messages/${message.id}/`, { method: 'DELETE' }).then(() =>
          applyContent({ ...(messages.get(message.seq) ?? message), text: '', deletedAt: new Date().toISOString() }),
        ),
    });
  }
  if (!mine) {
    // Resting the pointer on an unread message reads up to it. Not again while it stays there after "Mark as unread".
    let timer;
    let markedUnreadHere = false;
    item.addEventListener('mouseenter', () => {
      if (markedUnreadHere || messages.get(message.seq)?.readByMe) return;
      timer = setTimeout(() => readUpTo(message.id), READ_AFTER_HOVER_MS);
    });
    item.addEventListener('mouseleave', () => {
      clearTimeout(timer);
      markedUnreadHere = false;
    });
    item.querySelector('.mark-unread').addEventListener('click', () => {
      clearTimeout(timer);
      markedUnreadHere = true;
      markUnread(message.id);
    });
  }
  showContent(item, message);
  showState(item, message);
  return item;
}

/** An edit or a deletion (live, or this page's own): text, label and tombstone change in place; read state stays. */
function applyContent(changed) {
  const known = messages.get(changed.seq);
  if (changed.threadId !== threadId || !known) return;
  const updated = { ...known, text: changed.text, editedAt: changed.editedAt, deletedAt: changed.deletedAt };
  messages.set(changed.seq, updated);
  const item = list.querySelector(`[data-seq="${changed.seq}"]`);
  if (item) showContent(item, updated);
}

/** Read state and ticks, changed in place: a new element under the pointer would start another hover read. */
function showState(item, message) {
  if (!isMine(message)) {
    item.classList.toggle('unread', !message.readByMe);
    return;
  }
  const read = message.isRead;
  const ticks = item.querySelector('.ticks');
  ticks.className = `ticks${read ? ' read' : ''}`;
  ticks.textContent = read ? '✓✓' : '✓';
  ticks.setAttribute('aria-label', read ? 'read' : 'sent');
  ticks.title = read ? 'Read' : 'Sent';
}

/**
 * Puts a stored message in its place by seq (once), replacing its pending copy if this tab sent it. One already
 * shown is updated in place (never re-rendered under the pointer), keeping the later of the two contents.
 */
function place(message) {
  if (message.threadId !== threadId) return;
  const known = messages.get(message.seq);
  const existing = list.querySelector(`[data-seq="${message.seq}"]`);
  if (known && existing) {
    const content = laterContent(known, message);
    const merged = { ...message, text: content.text, editedAt: content.editedAt, deletedAt: content.deletedAt };
    messages.set(message.seq, merged);
    showContent(existing, merged);
    showState(existing, merged);
  } else {
    messages.set(message.seq, message);
    const later = [...list.querySelectorAll('[data-seq]')].find((node) => Number(node.dataset.seq) > message.seq);
    list.insertBefore(render(message), later ?? list.querySelector('.pending'));
  }
  if (message.clientMessageId && pending.has(message.clientMessageId)) {
    pending.get(message.clientMessageId).element.remove();
    pending.delete(message.clientMessageId);
  }
  oldestSeq = Math.min(oldestSeq, message.seq);
  newestSeq = Math.max(newestSeq, message.seq);
}

function refresh() {
  for (const message of messages.values()) {
    const item = list.querySelector(`[data-seq="${message.seq}"]`);
    if (item) showState(item, message);
  }
}

/** My marker moved (here or in another tab): others' messages up to it are read, later ones unread. */
function applyMyMarker(lastReadSeq) {
  for (const message of messages.values()) if (!isMine(message)) message.readByMe = message.seq <= lastReadSeq;
  refresh();
}

async function readUpTo(messageId) {
  const ack = await socket.timeout(10_000).emitWithAck('message:read', { threadId, messageId });
  if (ack.ok) applyMyMarker(ack.lastReadSeq);
}

async function markUnread(messageId) {
  const ack = await socket.timeout(10_000).emitWithAck('message:unread', { threadId, messageId });
  if (ack.ok) applyMyMarker(ack.lastReadSeq);
}

async function readAll() {
  const ack = await socket.timeout(10_000).emitWithAck('thread:read', { threadId });
  if (ack.ok) applyMyMarker(ack.lastReadSeq);
}

async function loadPage(query) {
  const page = await api(`/api/v1/threads/${threadId}/messages/?${query}`);
  for (const message of page.results) place(message);
  return page;
}

async function loadOlder() {
  if (noOlder || oldestSeq <= 1) return;
  noOlder = true;
  const before = list.scrollHeight;
  const page = await loadPage(`beforeSeq=${oldestSeq}&limit=${PAGE}`);
  list.scrollTop += list.scrollHeight - before;
  noOlder = page.next === null;
}

async function loadNewer() {
  if (atEnd || loadingNewer) return;
  loadingNewer = true;
  try {
    const page = await loadPage(`afterSeq=${newestSeq}&limit=${PAGE}`);
    atEnd = page.next === null;
  } finally {
    loadingNewer = false;
  }
  // A message sent while that page loaded was not placed live: fetch it.
  if (atEnd) await catchUp();
}

/** The latest page, in place of an older stretch (sending from there shows the conversation's end). */
async function showLatest() {
  list.querySelectorAll('[data-seq]').forEach((node) => node.remove());
  messages.clear();
  oldestSeq = Infinity;
  newestSeq = 0;
  atEnd = true;
  const page = await loadPage(`beforeSeq=${MAX_SEQ}&limit=${PAGE}`);
  noOlder = page.next === null;
}

/** The messages around seq, that one scrolled to the middle and highlighted; older and newer ones load on scroll. */
async function showAround(seq) {
  const [older, newer] = await Promise.all([loadPage(`beforeSeq=${seq + 1}&limit=${PAGE / 2}`), loadPage(`afterSeq=${seq}&limit=${PAGE / 2}`)]);
  noOlder = older.next === null;
  atEnd = newer.next === null;
  const item = list.querySelector(`[data-seq="${seq}"]`);
  if (!item) return;
  item.scrollIntoView({ block: 'center' });
  item.classList.add('found');
  item.setAttribute('aria-current', 'true');
  item.focus({ preventScroll: true });
}

/** The messages shown, again: edits and deletions made while the connection was down were missed. Merged in place. */
async function refreshShown() {
  const until = newestSeq;
  let after = oldestSeq - 1;
  while (after < until) {
    const page = await loadPage(`afterSeq=${after}&limit=200`);
    const last = page.results.at(-1);
    if (!last || !page.next) break;
    after = last.seq;
  }
}

/** Everything after the newest message shown: after a reconnect, or when a gap shows up. */
async function catchUp() {
  if (!atEnd) return;
  let page;
  do page = await loadPage(`afterSeq=${newestSeq}&limit=200`);
  while (page.next);
}

function sendPending(entry) {
  entry.element.classList.remove('failed');
  socket
    .timeout(10_000)
    .emitWithAck('message:send', { threadId, text: entry.text, clientMessageId: entry.clientMessageId })
    .then((ack) => {
      if (ack.ok) place(ack.message);
      else entry.element.classList.add('failed');
    })
    .catch(() => entry.element.classList.add('failed'));
}

async function send() {
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  if (!atEnd) await showLatest();
  const clientMessageId = crypto.randomUUID();
  const element = el(
    'li',
    { className: 'message mine pending', dataset: { clientId: clientMessageId } },
    el('div', { className: 'meta' }, el('span', { className: 'sender' }, 'You'), ' ', el('span', { className: 'muted' }, 'sending…')),
    el('p', { className: 'text' }, text),
  );
  list.append(element);
  element.scrollIntoView({ block: 'end' });
  const entry = { clientMessageId, text, element };
  pending.set(clientMessageId, entry);
  sendButton.disabled = true;
  stopTyping();
  sendPending(entry);
}

// Typing: tell the others while keys are pressed, and that it stopped after a pause or on send.
let typingSince = 0;
let typingTimer;
function stopTyping() {
  clearTimeout(typingTimer);
  if (typingSince) socket.emit('typing', { threadId, isTyping: false }, () => undefined);
  typingSince = 0;
}
input.addEventListener('input', () => {
  sendButton.disabled = input.value.trim() === '';
  if (Date.now() - typingSince > 2000) {
    typingSince = Date.now();
    socket.emit('typing', { threadId, isTyping: true }, () => undefined);
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, 3000);
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
input.addEventListener('focus', () => readAll());
form.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
list.addEventListener('scroll', () => {
  if (list.scrollTop < 40) loadOlder();
  if (list.scrollTop + list.clientHeight > list.scrollHeight - 40) loadNewer();
});

const typists = new Map();
function showTyping() {
  const now = Date.now();
  const active = [...typists].filter(([, until]) => until > now).map(([userId]) => names.get(userId) ?? 'Someone');
  typingLine.textContent = active.length === 0 ? '' : `${active.join(', ')} ${active.length === 1 ? 'is' : 'are'} typing…`;
}

socket.on('message:new', ({ message, readByAllSeq }) => {
  // Reading an older stretch: the new message loads with the newer pages when scrolled to.
  if (message.threadId !== threadId || !atEnd) return;
  if (message.seq > newestSeq + 1 && newestSeq > 0) {
    catchUp();
    return;
  }
  place(message);
  // The message carries the thread's receipts: sending read everything before it for its sender (me, from another
  // tab), and my messages up to readByAllSeq are read by everyone else.
  if (typeof readByAllSeq === 'number') for (const known of messages.values()) if (isMine(known)) known.isRead = known.seq <= readByAllSeq;
  if (isMine(message)) applyMyMarker(message.seq);
  else refresh();
  typists.delete(message.sender.id);
  showTyping();
  list.lastElementChild?.scrollIntoView({ block: 'end' });
});
socket.on('read', (receipt) => {
  if (receipt.threadId !== threadId) return;
  // readByAllSeq: the highest seq every participant has read; my messages up to it are read by all the others.
  for (const message of messages.values()) if (isMine(message)) message.isRead = message.seq <= receipt.readByAllSeq;
  if (receipt.userId === me.id) applyMyMarker(receipt.lastReadSeq);
  else refresh();
});
socket.on('typing', ({ threadId: id, userId, isTyping }) => {
  if (id !== threadId) return;
  if (isTyping) typists.set(userId, Date.now() + 5000);
  else typists.delete(userId);
  showTyping();
  setTimeout(showTyping, 5100);
});
// Edits and deletions, by the sender in any tab or by staff: the last one received is the stored state.
socket.on('message:updated', ({ message }) => applyContent(message));
socket.on('thread:deleted', ({ threadId: id }) => {
  if (id === threadId) location.assign('/');
});
onReconnect(async () => {
  // Presence changes while this page was away were missed: the participants as they are now.
  api(`/api/v1/threads/${threadId}/`).then(
    (fresh) => noteUsers(fresh.participants),
    () => undefined,
  );
  // Back after a disconnect: fetch what was missed, and resend what was not acknowledged (same clientMessageId).
  if (newestSeq > 0) await refreshShown();
  await catchUp();
  for (const entry of pending.values()) sendPending(entry);
});

const lastSeq = thread.lastMessage?.seq ?? 0;
if (foundSeq > 0 && foundSeq <= lastSeq) {
  await showAround(foundSeq);
  await catchUp();
} else {
  if (lastSeq > 0) {
    const page = await loadPage(`beforeSeq=${lastSeq + 1}&limit=${PAGE}`);
    noOlder = page.next === null;
  }
  // Messages stored after the thread was fetched and before the listeners above were attached.
  await catchUp();
  list.lastElementChild?.scrollIntoView({ block: 'end' });
}
document.body.dataset.ready = 'true';
