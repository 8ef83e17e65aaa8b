import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { sendEvent, serveCommands } from '../child-worker.js';
import type { ClientSpec, ConnectResult, FanoutSendResult, OrderCounts, SendSlot, SocketCommand, StepSamples, StepSendResult, Target } from '../protocol.js';

/**
 * A load-generating process of real socket.io-client connections. Timestamps are wall-clock milliseconds with
 * sub-millisecond precision (timeOrigin + now()), comparable between processes of this machine: a sender stamps a
 * message's text, the receiving process subtracts that stamp from its own clock.
 */
const clock = (): number => performance.timeOrigin + performance.now();

interface Client {
  /** Its place in this worker's list: names the socket in the per-message receipt counts. */
  index: number;
  spec: ClientSpec;
  socket: Socket;
  /** Per thread, the highest `message:new` seq this socket has seen. */
  lastSeq: Map<number, number>;
}

interface IncomingMessage {
  message?: { threadId?: number; seq?: number; text?: string; sender?: { id?: number }; clientMessageId?: string | null };
}

const clients: Client[] = [];
/** The delivery scenario's send slots of this worker's sockets, in the scenario's slot order. */
let slots: { client: Client; slot: SendSlot }[] = [];
let target: Target = 'parley';
let messageCounter = 0;
const workerTag = `${process.pid}`;

// Delivery: latency samples per step, written by the recipients' sockets; order checks by every socket.
const stepLatencies = new Map<number, number[]>();
const stepLastReceivedAt = new Map<number, number>();
const stepOrder = new Map<number, OrderCounts>();
const orderTotals: OrderCounts = { checked: 0, violations: 0, gaps: 0, duplicates: 0 };
// Steps whose messages are followed one by one: clientMessageId → the recipient sockets (indexes) that have it.
const trackedSteps = new Set<number>();
const stepReceivedBy = new Map<number, Map<string, Set<number>>>();
// Fan-out: per message, how many of this worker's members have it and when the last one got it.
const fanoutCounts = new Map<number, number>();
const fanoutLatencies: [messageNo: number, ms: number][] = [];
let fanoutMembers = 0;

const noOrderCounts = (): OrderCounts => ({ checked: 0, violations: 0, gaps: 0, duplicates: 0 });

/** `bench <stepId> <sentAt> load` → its step and send time; undefined for any other text. */
function parseBenchText(text: string | undefined): { stepId: number; sentAt: number } | undefined {
  if (!text) return undefined;
  const [kind, idText, stampText] = text.split(' ');
  if (kind !== 'bench') return undefined;
  return { stepId: Number(idText), sentAt: Number(stampText) };
}

/** Every `message:new` of a thread must come with the seq after the last one this socket saw of that thread. */
function checkOrder(client: Client, threadId: number, seq: number, stepId: number | undefined): void {
  const last = client.lastSeq.get(threadId);
  client.lastSeq.set(threadId, last === undefined ? seq : Math.max(last, seq));
  if (last === undefined) return;
  let step: OrderCounts | undefined;
  if (stepId !== undefined) {
    step = stepOrder.get(stepId);
    if (!step) stepOrder.set(stepId, (step = noOrderCounts()));
  }
  const count = (key: keyof OrderCounts): void => {
    orderTotals[key] += 1;
    if (step) step[key] += 1;
  };
  count('checked');
  if (seq === last + 1) return;
  count('violations');
  count(seq > last + 1 ? 'gaps' : 'duplicates');
}

function onChatMessage(client: Client, payload: IncomingMessage): void {
  const receivedAt = clock();
  const message = payload.message;
  if (!message) return;
  const bench = parseBenchText(message.text);
  if (typeof message.threadId === 'number' && typeof message.seq === 'number') checkOrder(client, message.threadId, message.seq, bench?.stepId);
  if (!bench || message.sender?.id === client.spec.userId) return;
  let samples = stepLatencies.get(bench.stepId);
  if (!samples) stepLatencies.set(bench.stepId, (samples = []));
  samples.push(receivedAt - bench.sentAt);
  stepLastReceivedAt.set(bench.stepId, receivedAt);
  if (trackedSteps.has(bench.stepId) && message.clientMessageId) {
    let receivedBy = stepReceivedBy.get(bench.stepId);
    if (!receivedBy) stepReceivedBy.set(bench.stepId, (receivedBy = new Map()));
    let sockets = receivedBy.get(message.clientMessageId);
    if (!sockets) receivedBy.set(message.clientMessageId, (sockets = new Set()));
    sockets.add(client.index);
  }
}

function onMemberMessage(self: ClientSpec, payload: IncomingMessage): void {
  const receivedAt = clock();
  const message = payload.message;
  if (!message?.text || message.sender?.id === self.userId) return;
  const [kind, idText, stampText] = message.text.split(' ');
  if (kind !== 'fanout') return;
  const messageNo = Number(idText);
  fanoutLatencies.push([messageNo, receivedAt - Number(stampText)]);
  const count = (fanoutCounts.get(messageNo) ?? 0) + 1;
  fanoutCounts.set(messageNo, count);
  if (count === fanoutMembers) sendEvent({ event: 'fanout-complete', messageNo, lastAt: receivedAt });
}

function connectOne(baseUrl: string, spec: ClientSpec, index: number): Promise<Client> {
  const auth = target === 'parley' ? { token: spec.token } : { userId: spec.userId };
  const socket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 120_000 });
  const client: Client = { index, spec, socket, lastSeq: new Map() };
  if (spec.role === 'chat') socket.on('message:new', (payload: IncomingMessage) => onChatMessage(client, payload));
  else if (spec.role === 'member') socket.on('message:new', (payload: IncomingMessage) => onMemberMessage(spec, payload));
  return new Promise((resolve, reject) => {
    socket.once('hello', () => resolve(client));
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
      const index = next++;
      try {
        clients.push(await connectOne(baseUrl, specs[index], index));
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  fanoutMembers = clients.filter((client) => client.spec.role === 'member').length;
  slots = clients.flatMap((client) => (client.spec.sendSlots ?? []).map((slot) => ({ client, slot }))).sort((a, b) => a.slot.order - b.slot.order);
  return { connected: clients.length, failed, firstError, startedAt, finishedAt: clock() };
}

type SendOutcome = { kind: 'ok' } | { kind: 'refused' } | { kind: 'failed'; error: string };

interface SendAck {
  ok: boolean;
  error?: { code?: string; message?: string };
}

function sendOne(
  client: Client,
  to: { threadId: number; peerUserId?: number },
  text: string,
  timeoutMs: number,
  onDone: (outcome: SendOutcome, clientMessageId: string) => void,
): void {
  messageCounter += 1;
  const clientMessageId = `${workerTag}-${messageCounter}`;
  const payload = target === 'parley' ? { threadId: to.threadId, text, clientMessageId } : { threadId: to.threadId, to: to.peerUserId, text, clientMessageId };
  client.socket.timeout(timeoutMs).emit('message:send', payload, (error: Error | null, ack?: SendAck) => {
    if (error) onDone({ kind: 'failed', error: error.message }, clientMessageId);
    else if (ack?.ok) onDone({ kind: 'ok' }, clientMessageId);
    else if (ack?.error?.code === 'overloaded') onDone({ kind: 'refused' }, clientMessageId);
    else onDone({ kind: 'failed', error: ack?.error?.code ?? 'refused' }, clientMessageId);
  });
}

/**
 * Open loop: sends at the offered rate whatever the answers, cycling over this worker's send slots, up to
 * maxInFlight unacknowledged messages (beyond that a due send is skipped and counted).
 */
function sendStep(command: Extract<SocketCommand, { type: 'send-step' }>): Promise<StepSendResult> {
  const { stepId, ratePerSecond, durationMs, maxInFlight, ackTimeoutMs } = command;
  const tracked = trackedSteps.has(stepId);
  const result: StepSendResult = {
    sent: 0,
    skipped: 0,
    acked: 0,
    refused: 0,
    failed: 0,
    answeredAfter1s: 0,
    startedAt: clock(),
    lastSentAt: 0,
    lastAckAt: 0,
    ackLatencies: [],
    refusalLatencies: [],
    ...(tracked ? { acceptedIds: [] } : {}),
  };
  if (slots.length === 0 || ratePerSecond <= 0) return Promise.resolve(result);
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
        const { client, slot } = slots[(result.sent + result.skipped) % slots.length];
        if (inFlight >= maxInFlight) {
          result.skipped += 1;
          continue;
        }
        const sentAt = clock();
        inFlight += 1;
        result.sent += 1;
        result.lastSentAt = sentAt;
        sendOne(client, slot, `bench ${stepId} ${sentAt.toFixed(3)} load`, ackTimeoutMs, (outcome, clientMessageId) => {
          inFlight -= 1;
          const ackAt = clock();
          const waited = ackAt - sentAt;
          if (waited > 1_000) result.answeredAfter1s += 1;
          switch (outcome.kind) {
            case 'ok':
              result.acked += 1;
              result.ackLatencies.push(waited);
              result.lastAckAt = ackAt;
              result.acceptedIds?.push(clientMessageId);
              break;
            case 'refused':
              result.refused += 1;
              result.refusalLatencies.push(waited);
              break;
            case 'failed':
              result.failed += 1;
              result.firstError ??= outcome.error;
              break;
            default: {
              const unreachable: never = outcome;
              throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
            }
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

function collect(stepId: number): StepSamples {
  const receivedBy = stepReceivedBy.get(stepId);
  const samples: StepSamples = {
    latencies: stepLatencies.get(stepId) ?? [],
    lastReceivedAt: stepLastReceivedAt.get(stepId) ?? 0,
    order: stepOrder.get(stepId) ?? noOrderCounts(),
    ...(trackedSteps.has(stepId) ? { receivedBy: [...(receivedBy ?? new Map<string, Set<number>>())].map(([id, sockets]) => [id, sockets.size]) } : {}),
  };
  stepLatencies.delete(stepId);
  stepLastReceivedAt.delete(stepId);
  stepOrder.delete(stepId);
  stepReceivedBy.delete(stepId);
  trackedSteps.delete(stepId);
  return samples;
}

function fanoutSend(messageNo: number): Promise<FanoutSendResult> {
  const sender = clients.find((client) => client.spec.role === 'sender');
  const threadId = sender?.spec.threadId;
  if (!sender || threadId === undefined) return Promise.reject(new Error('this worker has no sender'));
  const sentAt = clock();
  return new Promise((resolve, reject) => {
    sendOne(sender, { threadId }, `fanout ${messageNo} ${sentAt.toFixed(3)} to everyone`, 60_000, (outcome) => {
      if (outcome.kind === 'ok') resolve({ sentAt, ackMs: clock() - sentAt });
      else reject(new Error(`fan-out message ${messageNo} refused: ${outcome.kind === 'failed' ? outcome.error : 'overloaded'}`));
    });
  });
}

serveCommands<SocketCommand>(async (command) => {
  switch (command.type) {
    case 'connect':
      target = command.target;
      return connectAll(command.baseUrl, command.clients, command.concurrency);
    case 'send-step':
      return sendStep(command);
    case 'track-ids':
      trackedSteps.add(command.stepId);
      return null;
    case 'received':
      return stepLatencies.get(command.stepId)?.length ?? 0;
    case 'collect':
      return collect(command.stepId);
    case 'order-totals':
      return { ...orderTotals };
    case 'fanout-send':
      return fanoutSend(command.messageNo);
    case 'fanout-collect':
      return { latencies: fanoutLatencies, members: fanoutMembers };
    case 'count-connected':
      return clients.filter((client) => client.socket.connected).length;
    case 'close':
      for (const client of clients.splice(0)) client.socket.close();
      slots = [];
      return null;
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
});
