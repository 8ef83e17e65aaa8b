import { api, displayName } from './api.js';
import { el } from './dom.js';
import { noteUsers, presenceDot } from './presence.js';
import { startShell } from './shell.js';

await startShell();
const search = document.getElementById('search');
const list = document.getElementById('people');
const groupForm = document.getElementById('group');
const members = document.getElementById('group-members');
const groupError = document.getElementById('group-error');

async function openDirect(user) {
  const thread = await api('/api/v1/threads/', { method: 'POST', body: { participants: [user.id] } });
  location.assign(`/threads/${thread.id}`);
}

async function show(query) {
  const page = await api(`/api/v1/users/?limit=200${query ? `&search=${encodeURIComponent(query)}` : ''}`);
  noteUsers(page.results);
  list.replaceChildren(
    ...page.results.map((user) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', className: 'person', dataset: { userId: user.id } },
          presenceDot(user.id),
          displayName(user),
          el('span', { className: 'muted' }, ` @${user.username}`),
        ),
      ),
    ),
  );
  for (const [index, button] of [...list.querySelectorAll('button')].entries()) button.addEventListener('click', () => openDirect(page.results[index]));
}

let timer;
search.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => show(search.value.trim()), 200);
});

const everyone = await api('/api/v1/users/?limit=200');
members.append(
  ...everyone.results.map((user) =>
    el('label', { className: 'check' }, el('input', { type: 'checkbox', name: 'member', value: user.id }), ` ${displayName(user)}`),
  ),
);
groupForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  groupError.hidden = true;
  const participants = [...members.querySelectorAll('input:checked')].map((box) => Number(box.value));
  // No title makes an untitled group, named by its members.
  const title = document.getElementById('group-title').value.trim();
  try {
    const thread = await api('/api/v1/threads/', {
      method: 'POST',
      body: { type: 'group', participants, ...(title ? { title } : {}) },
    });
    location.assign(`/threads/${thread.id}`);
  } catch (failure) {
    groupError.textContent = failure.message;
    groupError.hidden = false;
  }
});
await show('');
document.body.dataset.ready = 'true';
