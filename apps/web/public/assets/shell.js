import { api, displayName } from './api.js';
import { trackPresence } from './presence.js';
import { startMessageSearch } from './search.js';
import { io } from '/socket.io/socket.io.esm.min.js';

/** The signed-in user, the header (name, total unread, sign-out) and the live connection every page shares. */
export async function startShell() {
  // The session cookie authenticates the socket too (same origin).
  // Connect first, so that no event (and no hello) is missed while the page loads. Every listener below is attached
  // before the first await: a hello that arrived while the page was still loading would otherwise be missed, and the
  // next one (after a reconnect) taken for the first, with no catch-up.
  const socket = io({ transports: ['websocket'] });
  const notice = document.getElementById('connection');
  socket.on('disconnect', (reason) => {
    notice.hidden = false;
    // The server ended the connection (it could not greet us, the database being away): Socket.IO leaves
    // reconnecting to the page.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 2000);
  });
  socket.on('connect_error', (error) => {
    notice.hidden = false;
    // Socket.IO retries a failed transport by itself, but not a handshake the server refused.
    if (socket.active) return;
    if (error.message === 'unauthorized') {
      location.assign('/login');
      return;
    }
    // rate_limited, or unavailable (a restart, a database outage): try again when the server says.
    setTimeout(() => socket.connect(), Math.max(1, error.data?.retryAfterSeconds ?? 1) * 1000);
  });
  // Every (re)connection is greeted with hello; pages catch up on the ones after the first.
  const reconnectHandlers = [];
  let hellos = 0;
  socket.on('hello', ({ totalUnread }) => {
    notice.hidden = true;
    showTotalUnread(totalUnread);
    hellos += 1;
    if (hellos > 1) for (const handler of reconnectHandlers) handler();
  });
  socket.on('unread', ({ totalUnread }) => showTotalUnread(totalUnread));
  trackPresence(socket);
  // A message carries the receiving user's counts right after it (no separate unread frame).
  socket.on('message:new', ({ totalUnread }) => {
    if (typeof totalUnread === 'number') showTotalUnread(totalUnread);
  });

  const me = await api('/api/v1/users/me/');
  document.getElementById('me').textContent = `Signed in as ${displayName(me)}`;
  document.getElementById('sign-out').addEventListener('click', async () => {
    await api('/api/session/', { method: 'DELETE' });
    location.assign('/login');
  });
  startMessageSearch(me);
  return { me, socket, onReconnect: (handler) => reconnectHandlers.push(handler) };
}

function showTotalUnread(total) {
  const badge = document.getElementById('total-unread');
  badge.hidden = total === 0;
  badge.textContent = String(total);
  badge.setAttribute('aria-label', `${total} unread`);
}
