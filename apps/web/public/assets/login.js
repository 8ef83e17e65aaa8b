import { api } from './api.js';

const form = document.getElementById('login');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  try {
    await api('/api/session/', { method: 'POST', body: { username: form.username.value, password: form.password.value } });
    location.assign('/');
  } catch (failure) {
    error.textContent = failure.status === 401 ? 'Wrong username or password.' : failure.message;
    error.hidden = false;
  }
});
