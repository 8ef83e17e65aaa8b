import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { sendEvent, serveCommands } from '../child-worker.js';
import type { ClientSpec, ConnectResult, FanoutSendResult, SocketCommand, StepSamples, StepSendResult, Target } from '../protocol.js';

/**
 * A load-generating process of real socket.io-client connections. Timestamps are wall-clock milliseconds with
 * sub-millisecond precision (timeOrigin + now()), comparable between processes of this machine: a sender stamps a
 * message's text, the receiving process subtracts that stamp from its own clock.
 */
const clock = (): number => performance.timeOrigin + performance.now();

interface Client {
  spec: ClientSpec;
  socket: Socket;
}

interface IncomingMessage {
  message?: { text?: string; sender?: { id?: number } };
}

const clients: Client[] = [];
let target: Target = 'parley';
let messageCounter = 0;
const workerTag = `${process.pid}`;

// Delivery: latency samples per step, written by receivers.
const stepLatencies = new Map<number, number[]>();
const stepLastReceivedAt = new Map<number, number>();
// Fan-out: per message, how many of this worker's members have it and when the last one got it.
const fanoutCounts = new Map<number, number>();
const fanoutLatencies: [messageNo: number, ms: number][] = [];
let fanoutMembers = 0;

function onMessageNew(self: ClientSpec, payload: IncomingMessage): void {
  const receivedAt = clock();
  const message = payload.message;
  if (!message?.text || message.sender?.id === self.userId) return;
  const [kind, idText, stampText] = message.text.split(' ');
  const sentAt = Number(stampText);
  if (kind === 'bench' && self.role === 'receiver') {
    const stepId = Number(idText);
    let samples = stepLatencies.get(stepId);
    if (!samples) stepLatencies.set(stepId, (samples = []));
    samples.push(receivedAt - sentAt);
    stepLastReceivedAt.set(stepId, receivedAt);
  } else if (kind === 'fanout' && self.role === 'member') {
    const messageNo = Number(idText);
    fanoutLatencies.push([messageNo, receivedAt - sentAt]);
    const count = (fanoutCounts.get(messageNo) ?? 0) + 1;
    fanoutCounts.set(messageNo, count);
    if (count === fanoutMembers) sendEvent({ event: 'fanout-complete', messageNo, lastAt: receivedAt });
  }
}

function connectOne(baseUrl: string, spec: ClientSpec): Promise<Socket> {
  const auth = target === 'parley' ? { token: spec.token } : { userId: spec.userId };
  const socket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 120_000 });
  if (spec.role === 'receiver' || spec.role === 'member') socket.on('message:new', (payload: IncomingMessage) => onMessageNew(spec, payload));
  return new Promise((resolve, reject) => {
    socket.once('hello', () => resolve(socket));
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

async function connectAll(baseUrl: string, specs: ClientSpec[], concurrency: number): Promise<ConnectResult> {
  const startedAt = clock();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < specs.length) {
      const spec = specs[next++];
      try {
        clients.push({ spec, socket: await connectOne(baseUrl, spec) });
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  fanoutMembers = clients.filter((client) => client.spec.role === 'member').length;
  return { connected: clients.length, failed, firstError, startedAt, finishedAt: clock() };
}

interface SendOutcome {
  ok: boolean;
  error?: string;
}

function sendOne(client: Client, text: string, onDone: (outcome: SendOutcome) => void): void {
  messageCounter += 1;
  const { spec, socket } = client;
  const payload =
    target === 'parley'
      ? { threadId: spec.threadId, text, clientMessageId: `${workerTag}-${messageCounter}` }
      : { threadId: spec.threadId, to: spec.peerUserId, text };
  socket.timeout(60_000).emit('message:send', payload, (error: Error | null, ack?: { ok: boolean; error?: { code: string } }) => {
    if (error) onDone({ ok: false, error: error.message });
    else if (!ack?.ok) onDone({ ok: false, error: ack?.error?.code ?? 'refused' });
    else onDone({ ok: true });
  });
}

/** Open loop: sends at the offered rate whatever the answers, up to maxInFlight unacknowledged messages. */
function sendStep(stepId: number, ratePerSecond: number, durationMs: number, maxInFlight: number): Promise<StepSendResult> {
  const senders = clients.filter((client) => client.spec.role === 'sender');
  const result: StepSendResult = { sent: 0, skipped: 0, acked: 0, failed: 0, startedAt: clock(), lastSentAt: 0, lastAckAt: 0, ackLatencies: [] };
  if (senders.length === 0 || ratePerSecond <= 0) return Promise.resolve(result);
  let inFlight = 0;
  let sending = true;
  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (!sending && inFlight === 0) resolve(result);
    };
    const tick = (): void => {
      const now = clock();
      const elapsed = Math.min(now - result.startedAt, durationMs);
      const due = Math.floor((ratePerSecond * elapsed) / 1000);
      while (result.sent + result.skipped < due) {
        if (inFlight >= maxInFlight) {
          result.skipped += 1;
          continue;
        }
        const client = senders[(result.sent + result.skipped) % senders.length];
        const sentAt = clock();
        inFlight += 1;
        result.sent += 1;
        result.lastSentAt = sentAt;
        sendOne(client, `bench ${stepId} ${sentAt.toFixed(3)} load`, (outcome) => {
          inFlight -= 1;
          const ackAt = clock();
          if (outcome.ok) {
            result.acked += 1;
            result.ackLatencies.push(ackAt - sentAt);
            result.lastAckAt = ackAt;
          } else {
            result.failed += 1;
            result.firstError ??= outcome.error;
          }
          finishIfDone();
        });
      }
      if (now - result.startedAt >= durationMs) {
        clearInterval(timer);
        sending = false;
        finishIfDone();
      }
    };
    const timer = setInterval(tick, 2);
  });
}

function fanoutSend(messageNo: number): Promise<FanoutSendResult> {
  const sender = clients.find((client) => client.spec.role === 'sender');
  if (!sender) return Promise.reject(new Error('this worker has no sender'));
  const sentAt = clock();
  return new Promise((resolve, reject) => {
    sendOne(sender, `fanout ${messageNo} ${sentAt.toFixed(3)} to everyone`, (outcome) => {
      if (outcome.ok) resolve({ sentAt, ackMs: clock() - sentAt });
      else reject(new Error(`fan-out message ${messageNo} refused: ${outcome.error}`));
    });
  });
}

serveCommands<SocketCommand>(async (command) => {
  switch (command.type) {
    case 'connect':
      target = command.target;
      return connectAll(command.baseUrl, command.clients, command.concurrency);
    case 'send-step':
      return sendStep(command.stepId, command.ratePerSecond, command.durationMs, command.maxInFlight);
    case 'received':
      return stepLatencies.get(command.stepId)?.length ?? 0;
    case 'collect': {
      const samples: StepSamples = { latencies: stepLatencies.get(command.stepId) ?? [], lastReceivedAt: stepLastReceivedAt.get(command.stepId) ?? 0 };
      stepLatencies.delete(command.stepId);
      return samples;
    }
    case 'fanout-send':
      return fanoutSend(command.messageNo);
    case 'fanout-collect':
      return { latencies: fanoutLatencies, members: fanoutMembers };
    case 'count-connected':
      return clients.filter((client) => client.socket.connected).length;
    case 'close':
      for (const client of clients.splice(0)) client.socket.close();
      return null;
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
});
