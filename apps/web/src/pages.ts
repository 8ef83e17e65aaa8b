/** The inbox's pages: small server-rendered shells; their ES modules load the data and keep it live. */
export type PageName = 'login' | 'inbox' | 'people' | 'thread';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function layout(title: string, script: string, body: string, bodyAttributes = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Parley</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/${script}"></script>
</head>
<body${bodyAttributes}>
${body}
</body>
</html>
`;
}

const header = `<header class="top">
  <a class="brand" href="/">Parley</a>
  <nav aria-label="Main">
    <a href="/">Inbox <span id="total-unread" class="badge" hidden></span></a>
    <a href="/people">People</a>
  </nav>
  <form id="message-search" class="message-search" role="search" autocomplete="off">
    <label for="message-search-text" class="visually-hidden">Search messages</label>
    <input id="message-search-text" type="search" maxlength="200" placeholder="Search messages" aria-controls="search-results">
  </form>
  <span id="me" class="me"></span>
  <button id="sign-out" type="button" class="link">Sign out</button>
</header>
<div id="connection" class="notice" role="status" hidden>Connection lost. Reconnecting…</div>
<section id="search-panel" class="search-panel" aria-label="Search results" hidden>
  <p id="search-summary" class="muted" role="status"></p>
  <ol id="search-results" class="search-results"></ol>
  <button id="search-more" type="button" class="link" hidden>More results</button>
</section>`;

export function renderPage(page: PageName, threadId?: number): string {
  switch (page) {
    case 'login':
      return layout(
        'Sign in',
        'login.js',
        `<main class="narrow">
  <h1>Sign in to Parley</h1>
  <form id="login" class="card">
    <label for="username">Username or email</label>
    <input id="username" name="username" autocomplete="username" required autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <p id="login-error" class="error" role="alert" hidden></p>
    <button type="submit">Sign in</button>
  </form>
</main>`,
      );
    case 'inbox':
      return layout(
        'Inbox',
        'inbox.js',
        `${header}
<main>
  <h1>Inbox</h1>
  <ul id="threads" class="threads" aria-label="Conversations" aria-live="polite"></ul>
  <p id="empty" class="muted" hidden>No conversations yet. <a href="/people">Start one</a>.</p>
</main>`,
      );
    case 'people':
      return layout(
        'People',
        'people.js',
        `${header}
<main>
  <h1>People</h1>
  <label for="search">Search people</label>
  <input id="search" type="search" placeholder="Name or username" autocomplete="off">
  <ul id="people" class="people" aria-label="People"></ul>
  <form id="group" class="card">
    <h2>New group</h2>
    <label for="group-title">Group title (optional: without one, the group goes by its members' names)</label>
    <input id="group-title" maxlength="200">
    <fieldset id="group-members"><legend>Members</legend></fieldset>
    <p id="group-error" class="error" role="alert" hidden></p>
    <button type="submit">Create group</button>
  </form>
</main>`,
      );
    case 'thread':
      return layout(
        'Conversation',
        'thread.js',
        `${header}
<main class="conversation">
  <h1 id="thread-title">Conversation</h1>
  <p id="thread-members" class="muted"></p>
  <ol id="messages" class="messages" aria-label="Messages" aria-live="polite" tabindex="0"></ol>
  <p id="typing" class="typing" aria-live="polite"></p>
  <form id="reply" class="reply">
    <label for="reply-text" class="visually-hidden">Your message</label>
    <textarea id="reply-text" rows="2" maxlength="4000" placeholder="Write a message — Enter sends, Shift+Enter adds a line" required></textarea>
    <button id="send" type="submit" disabled>Send</button>
  </form>
</main>`,
        ` data-thread-id="${Number(threadId)}"`,
      );
    default: {
      const unreachable: never = page;
      throw new Error(`unknown page ${String(unreachable)}`);
    }
  }
}
