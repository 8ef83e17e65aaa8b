import { api, displayName, threadName } from './api.js';
import { el, shortTime } from './dom.js';
import { noteUsers, presenceDot } from './presence.js';
import { TOMBSTONE_TEXT } from './message-actions.js';
import { startShell } from './shell.js';

const list = document.getElementById('threads');
const empty = document.getElementById('empty');
const { me, socket, onReconnect } = await startShell();
const threads = new Map();

function excerpt(message) {
  if (!message) return 'No messages yet';
  const prefix = message.sender.id === me.id ? 'You: ' : '';
  if (message.deletedAt) return prefix + TOMBSTONE_TEXT;
  return prefix + (message.text.length > 120 ? `${message.text.slice(0, 120)}…` : message.text);
}

function render(thread) {
  const members = thread.type === 'group' ? thread.participants.map(displayName).join(', ') : null;
  const other = thread.type === 'direct' ? thread.participants.find((p) => p.id !== me.id) : null;
  const unread = thread.unreadCount > 0;
  const item = el(
    'li',
    { className: `thread${unread ? ' unread' : ''}`, dataset: { threadId: thread.id } },
    el(
      'a',
      { href: `/threads/${thread.id}`, 'aria-label': `${threadName(thread, me)}${unread ? `, ${thread.unreadCount} unread` : ''}` },
      el('span', { className: 'name' }, other ? presenceDot(other.id) : null, threadName(thread, me)),
      members ? el('span', { className: 'members' }, members) : null,
      el('span', { className: 'excerpt' }, excerpt(thread.lastMessage)),
      el('time', { className: 'when', datetime: thread.updatedAt }, shortTime(thread.lastMessage?.createdAt ?? thread.updatedAt)),
      el('span', { className: 'badge', hidden: !unread }, String(thread.unreadCount)),
    ),
  );
  const previous = list.querySelector(`[data-thread-id="${thread.id}"]`);
  if (previous) previous.replaceWith(item);
  return item;
}

function upsert(thread, { toTop }) {
  threads.set(thread.id, thread);
  const item = render(thread);
  if (toTop) list.prepend(item);
  else if (!item.isConnected) list.append(item);
  empty.hidden = threads.size > 0;
}

socket.on('message:new', async ({ message, unreadCount }) => {
  const known = threads.get(message.threadId);
  const thread = known
    ? { ...known, lastMessage: message, updatedAt: message.createdAt, unreadCount: unreadCount ?? known.unreadCount }
    : await fetchThread(message.threadId);
  upsert(thread, { toTop: true });
});
socket.on('unread', ({ threadId, unreadCount }) => {
  const thread = threads.get(threadId);
  if (thread) upsert({ ...thread, unreadCount }, { toTop: false });
});
// The preview follows an edit or a deletion of the last message.
socket.on('message:updated', ({ message }) => {
  const thread = threads.get(message.threadId);
  if (thread?.lastMessage?.id !== message.id) return;
  const lastMessage = { ...thread.lastMessage, text: message.text, editedAt: message.editedAt, deletedAt: message.deletedAt };
  upsert({ ...thread, lastMessage }, { toTop: false });
});
socket.on('thread:new', ({ thread }) => upsert(thread, { toTop: true }));
socket.on('thread:updated', ({ thread }) => upsert(thread, { toTop: false }));
socket.on('thread:deleted', ({ threadId }) => {
  threads.delete(threadId);
  list.querySelector(`[data-thread-id="${threadId}"]`)?.remove();
  empty.hidden = threads.size > 0;
});
async function fetchThread(threadId) {
  const thread = await api(`/api/v1/threads/${threadId}/`);
  noteUsers(thread.participants);
  return thread;
}

async function load() {
  const fresh = await api('/api/v1/threads/?limit=200');
  noteUsers(fresh.results.flatMap((thread) => thread.participants));
  list.replaceChildren();
  threads.clear();
  for (const thread of fresh.results) upsert(thread, { toTop: false });
  empty.hidden = threads.size > 0;
}
// Listening before loading: nothing that happens meanwhile is missed. After a reconnect, reload the list.
onReconnect(load);
await load();
document.body.dataset.ready = 'true';
