import { api, displayName } from './api.js';
import { io } from '/socket.io/socket.io.esm.min.js';

/** The signed-in user, the header (name, total unread, sign-out) and the live connection every page shares. */
export async function startShell() {
  // The session cookie authenticates the socket too (same origin).
  // Connect first, so that no event (and no hello) is missed while the page loads.
  const socket = io({ transports: ['websocket'] });
  const me = await api('/api/v1/users/me/');
  document.getElementById('me').textContent = `Signed in as ${displayName(me)}`;
  document.getElementById('sign-out').addEventListener('click', async () => {
    await api('/api/session/', { method: 'DELETE' });
    location.assign('/login');
  });

  const notice = document.getElementById('connection');
  socket.on('disconnect', () => {
    notice.hidden = false;
  });
  socket.on('connect_error', () => {
    notice.hidden = false;
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
  return { me, socket, onReconnect: (handler) => reconnectHandlers.push(handler) };
}

function showTotalUnread(total) {
  const badge = document.getElementById('total-unread');
  badge.hidden = total === 0;
  badge.textContent = String(total);
  badge.setAttribute('aria-label', `${total} unread`);
}
