import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * The baseline of the delivery scenario: a bare Socket.IO relay with no auth and no database. A client says who it
 * is in `auth.userId` and joins its user room; `message:send {to, threadId, text}` is acknowledged and forwarded as
 * `message:new` with a payload shaped like Parley's, so frames are of comparable size.
 */
const port = Number(process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 64 * 1024, transports: ['websocket'] });
let nextId = 1;

interface RelayedMessage {
  to: number;
  threadId: number;
  text: string;
}

io.on('connection', (socket) => {
  const userId = Number((socket.handshake.auth as { userId?: unknown }).userId);
  void socket.join(`user:${userId}`);
  socket.emit('hello', { user: { id: userId } });
  socket.on('message:send', (body: RelayedMessage, ack: (answer: unknown) => void) => {
    const id = nextId++;
    const message = {
      id,
      threadId: body.threadId,
      seq: id,
      sender: { id: userId, username: `user${userId}`, displayName: `User ${userId}` },
      text: body.text,
      createdAt: new Date().toISOString(),
      clientMessageId: null,
      readByMe: false,
      isRead: false,
    };
    io.to(`user:${body.to}`).emit('message:new', { message });
    ack({ ok: true, message: { ...message, readByMe: true } });
  });
});

httpServer.listen(port, '127.0.0.1', () => process.send?.({ event: 'listening', port }));
process.on('SIGTERM', () => {
  void io.close();
  httpServer.close(() => process.exit(0));
});
