import { el } from './dom.js';

/** Who is online, as the REST API last said (`online` in a User) and `presence` events have said since. */
const online = new Map();
/** The signed-in user, once the socket's hello named it: online exactly while this page's connection is up. */
let myId;

/** Dots change in place wherever they are shown: rows are not rebuilt for a presence change. */
function showDot(dot, isOnline) {
  dot.classList.toggle('online', isOnline);
  dot.title = isOnline ? 'Online' : 'Offline';
  dot.setAttribute('aria-label', dot.title);
}

function showUser(userId, isOnline) {
  online.set(userId, isOnline);
  for (const dot of document.querySelectorAll(`.presence[data-user-id="${Number(userId)}"]`)) showDot(dot, isOnline);
}

/**
 * Users as the REST API returned them: their `online` is the latest word until a presence event. Not for the
 * signed-in user: the API may answer before it has recorded this page's own connection.
 */
export function noteUsers(users) {
  for (const user of users) if (typeof user.online === 'boolean' && user.id !== myId) showUser(user.id, user.online);
}

/** A dot beside a person: green while they are connected anywhere. */
export function presenceDot(userId) {
  const dot = el('span', { className: 'presence', role: 'img', dataset: { userId } });
  showDot(dot, online.get(userId) === true);
  return dot;
}

/** Keeps every dot on the page live; attached with the shell's other listeners, before anything is loaded. */
export function trackPresence(socket) {
  socket.on('presence', ({ userId, online: isOnline }) => showUser(userId, isOnline));
  socket.on('hello', ({ user }) => {
    myId = user.id;
    showUser(myId, true);
  });
  socket.on('disconnect', () => myId && showUser(myId, false));
}
