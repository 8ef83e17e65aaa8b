// Same-origin calls to the Parley API with the session cookie; errors carry the API's message.
export class ApiError extends Error {
  constructor(status, body) {
    super(Array.isArray(body?.message) ? body.message.join('; ') : body?.message || `request failed (${status})`);
    this.status = status;
    this.code = body?.code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !location.pathname.startsWith('/login')) {
    location.assign('/login');
    throw new ApiError(401, { message: 'signed out' });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function displayName(user) {
  return user.displayName || user.username;
}

/** Names shown in an untitled group's name before the rest become "+N". */
const NAMES_SHOWN = 3;

/**
 * A thread's name as the viewer sees it: the group title; for an untitled group its other members, the first few
 * by name and "+N" for the rest; for a direct thread the other person.
 */
export function threadName(thread, me) {
  if (thread.type === 'group') {
    if (thread.title) return thread.title;
    // Alphabetical, so that the name stays the same wherever it is shown.
    const others = thread.participants
      .filter((p) => p.id !== me.id)
      .map(displayName)
      .sort((a, b) => a.localeCompare(b));
    if (others.length === 0) return 'Group';
    const shown = others.slice(0, NAMES_SHOWN).join(', ');
    return others.length > NAMES_SHOWN ? `${shown} +${others.length - NAMES_SHOWN}` : shown;
  }
  const other = thread.participants.find((p) => p.id !== me.id);
  return other ? displayName(other) : 'Conversation';
}
