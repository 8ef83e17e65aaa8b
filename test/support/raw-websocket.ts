import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A bare WebSocket client over TCP for sending frames no library would send (text frames that are not UTF-8):
 * the HTTP upgrade, masked client frames, and the server's close code. Just enough of RFC 6455 for that.
 */
export class RawWebSocket {
  private buffer = Buffer.alloc(0);
  private readonly texts: string[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;
  ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.readFrames();
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Opens `path` (e.g. /socket.io/?EIO=4&transport=websocket) on the server at `baseUrl`. */
  static open(baseUrl: string, path: string): Promise<RawWebSocket> {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      socket.once('error', reject);
      socket.once('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
        let head = Buffer.alloc(0);
        const onData = (chunk: Buffer): void => {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end === -1) return;
          socket.off('data', onData);
          const status = head.subarray(0, head.indexOf('\r\n')).toString();
          if (!status.includes(' 101 ')) {
            socket.destroy();
            reject(new Error(`upgrade refused: ${status}`));
            return;
          }
          const client = new RawWebSocket(socket);
          const rest = head.subarray(end + 4);
          if (rest.length > 0) socket.emit('data', rest);
          resolve(client);
        };
        socket.on('data', onData);
      });
    });
  }

  get closed(): boolean {
    return this.ended || this.closeCode !== undefined;
  }

  /** Sends one masked frame: opcode 1 (text) by default, the payload bytes exactly as given. */
  sendFrame(payload: Buffer, opcode = 0x1): void {
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length]) : Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff]);
    if (length >= 65536) throw new Error('frame too long for this client');
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  sendText(text: string): void {
    this.sendFrame(Buffer.from(text, 'utf8'));
  }

  /** Waits until a text frame matches, the server closes (close frame or TCP end), or `timeoutMs` passes; resolves with the text or undefined. */
  async waitForText(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.texts.find(predicate);
      if (hit !== undefined) return hit;
      if (this.ended || this.closeCode !== undefined || Date.now() >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Server frames are unmasked; only text and close frames matter here. */
  private readFrames(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 0x1) this.texts.push(payload.toString('utf8'));
      if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    }
  }
}
