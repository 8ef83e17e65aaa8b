import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * The baseline of the delivery scenario: a bare Socket.IO relay with no auth and no database. A client says who it
 * is in `auth.userId` and joins its user room; `message:send {to, threadId, text, clientMessageId}` is acknowledged
 * and emitted as `message:new` to the recipient's room and to the sender's own room (every socket of both users, as
 * Parley does), numbered by a per-thread seq and with a payload shaped like Parley's (`{message, unreadCount,
 * totalUnread, readByAllSeq}`, the sender's copy marked read by it), so frames are of comparable size and number.
 */
const port = Number(process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 64 * 1024, transports: ['websocket'] });
let nextId = 1;
const lastSeq = new Map<number, number>();

interface RelayedMessage {
  to: number;
  threadId: number;
  text: string;
  clientMessageId?: string;
}

io.on('connection', (socket) => {
  const userId = Number((socket.handshake.auth as { userId?: unknown }).userId);
  void socket.join(`user:${userId}`);
  socket.emit('hello', { user: { id: userId, username: `user${userId}`, displayName: `User ${userId}`, online: true }, totalUnread: 0 });
  socket.on('message:send', (body: RelayedMessage, ack: (answer: unknown) => void) => {
    const id = nextId++;
    const seq = (lastSeq.get(body.threadId) ?? 0) + 1;
    lastSeq.set(body.threadId, seq);
    const message = {
      id,
      threadId: body.threadId,
      seq,
      sender: { id: userId, username: `user${userId}`, displayName: `User ${userId}`, online: true },
      text: body.text,
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
      clientMessageId: body.clientMessageId ?? null,
      readByMe: false,
      isRead: false,
    };
    // The recipient has this message unread; the sender has read everything up to it.
    io.to(`user:${body.to}`).emit('message:new', { message, unreadCount: 1, totalUnread: 1, readByAllSeq: seq - 1 });
    io.to(`user:${userId}`).emit('message:new', { message: { ...message, readByMe: true }, unreadCount: 0, totalUnread: 0, readByAllSeq: seq - 1 });
    ack({ ok: true, message: { ...message, readByMe: true } });
  });
});

httpServer.listen(port, '127.0.0.1', () => process.send?.({ event: 'listening', port }));
process.on('SIGTERM', () => {
  void io.close();
  httpServer.close(() => process.exit(0));
});
