import { el, shortTime } from './dom.js';

export const TOMBSTONE_TEXT = 'This message was deleted';
const LONG_PRESS_MS = 500;

/**
 * Which of two copies of a message has the later content. A deletion is final; otherwise the later edit wins. A page
 * fetched before an edit can arrive after its live update: it must not bring the old text back.
 */
export function laterContent(known, incoming) {
  if (known.deletedAt) return known;
  if (incoming.deletedAt) return incoming;
  return Date.parse(incoming.editedAt ?? 0) >= Date.parse(known.editedAt ?? 0) ? incoming : known;
}

/** A message's text, "edited" label and tombstone, changed in place (the element may be under the pointer). */
export function showContent(item, message) {
  const text = item.querySelector('.text');
  const edited = item.querySelector('.edited');
  if (message.deletedAt) {
    item.classList.add('deleted');
    text.textContent = TOMBSTONE_TEXT;
    text.hidden = false;
    // Nothing left to edit or delete: the menu, an open editor and a pending confirmation go.
    for (const node of item.querySelectorAll('.actions, .editor, .edit-hint, .confirm-delete')) node.remove();
    item.classList.remove('editing', 'menu-open');
  } else {
    text.textContent = message.text;
  }
  edited.hidden = !message.editedAt || !!message.deletedAt;
  if (message.editedAt) edited.title = `Edited ${shortTime(message.editedAt)}`;
}

/**
 * The menu of one's own message: Edit and Delete, shown on hover, on keyboard focus, and on a long press (touch).
 * Edit opens an editor in place (Enter saves, Shift+Enter adds a line, Escape cancels); Delete asks first.
 * `current()` is the message as last known; `save(text)` and `remove()` return promises that fail with a message.
 */
export function addMessageActions(item, current, { save, remove }) {
  const editButton = el('button', { type: 'button', className: 'link edit' }, 'Edit');
  const deleteButton = el('button', { type: 'button', className: 'link delete' }, 'Delete');
  const actions = el('div', { className: 'actions', role: 'group', 'aria-label': 'Message menu' }, editButton, deleteButton);
  item.querySelector('.meta').append(actions);
  const text = item.querySelector('.text');

  function startEdit() {
    if (item.classList.contains('editing')) return;
    closeConfirm();
    item.classList.add('editing');
    const editor = el('textarea', { className: 'editor', 'aria-label': 'New text', maxlength: 4000, rows: 2 });
    editor.value = current().text;
    const hint = el('p', { className: 'edit-hint muted' }, 'Enter saves · Escape cancels');
    text.hidden = true;
    text.after(editor, hint);
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
    const finish = () => {
      editor.remove();
      hint.remove();
      text.hidden = false;
      item.classList.remove('editing', 'menu-open');
    };
    editor.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish();
        editButton.focus();
        return;
      }
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      const value = editor.value.trim();
      if (value === current().text) return finish();
      if (!value) return showProblem(hint, 'A message cannot be empty: delete it instead.');
      editor.disabled = true;
      save(value).then(finish, (failure) => {
        editor.disabled = false;
        editor.focus();
        showProblem(hint, failure.message);
      });
    });
  }

  function closeConfirm() {
    item.querySelector('.confirm-delete')?.remove();
  }

  function confirmDelete() {
    if (item.querySelector('.confirm-delete')) return;
    const confirmButton = el('button', { type: 'button', className: 'danger' }, 'Delete');
    const cancelButton = el('button', { type: 'button', className: 'secondary' }, 'Cancel');
    const problem = el('span', { className: 'error', hidden: true });
    const confirm = el(
      'div',
      { className: 'confirm-delete', role: 'group', 'aria-label': 'Delete this message?' },
      el('span', {}, 'Delete this message?'),
      confirmButton,
      cancelButton,
      problem,
    );
    item.append(confirm);
    cancelButton.focus();
    const cancel = () => {
      closeConfirm();
      deleteButton.focus();
    };
    cancelButton.addEventListener('click', cancel);
    confirm.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      }
    });
    confirmButton.addEventListener('click', () => {
      confirmButton.disabled = true;
      remove().catch((failure) => {
        confirmButton.disabled = false;
        problem.textContent = failure.message;
        problem.hidden = false;
      });
    });
  }

  editButton.addEventListener('click', startEdit);
  deleteButton.addEventListener('click', confirmDelete);

  // Touch: a long press opens the menu (there is no hover); a tap elsewhere closes it.
  let pressTimer;
  item.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'mouse') return;
    pressTimer = setTimeout(() => item.classList.add('menu-open'), LONG_PRESS_MS);
  });
  // A pan (scrolling the list) cancels the pointer: no menu.
  for (const type of ['pointerup', 'pointercancel']) item.addEventListener(type, () => clearTimeout(pressTimer));
  item.addEventListener('contextmenu', (event) => {
    if (item.classList.contains('menu-open')) event.preventDefault();
  });
}

document.addEventListener('pointerdown', (event) => {
  for (const open of document.querySelectorAll('.message.menu-open')) if (!open.contains(event.target)) open.classList.remove('menu-open');
});

function showProblem(hint, message) {
  hint.textContent = message;
  hint.classList.add('error');
}
