/** Messages between the bench and its load-generating child processes (over Node's IPC channel). */

/** One Socket.IO client a worker holds. */
export interface ClientSpec {
  userId: number;
  /** Parley: an access JWT. The bare relay takes the user id instead (no auth). */
  token?: string;
  /**
   * chat: the delivery scenario's sockets, each both sending (on its `sendSlots`) and receiving; sender/member: the
   * fan-out scenario's one sender and its receiving members; idle: the connections scenario.
   */
  role: 'chat' | 'sender' | 'member' | 'idle';
  /** The fan-out sender: the thread it writes to. */
  threadId?: number;
  /** chat: the threads this socket sends on (the open-loop sender of its worker cycles over all of its sockets' slots). */
  sendSlots?: SendSlot[];
}

/** One way of sending in the delivery scenario: this socket's user writes to `threadId`, whose other user is `peerUserId`. */
export interface SendSlot {
  threadId: number;
  /** The relay forwards to this user's room (Parley knows the thread's participants itself). */
  peerUserId: number;
  /** The slot's place among all slots of the scenario; a worker cycles over its own slots in this order. */
  order: number;
}

export type Target = 'parley' | 'relay';

export type SocketCommand =
  | { type: 'connect'; baseUrl: string; target: Target; clients: ClientSpec[]; concurrency: number }
  | {
      type: 'send-step';
      stepId: number;
      ratePerSecond: number;
      durationMs: number;
      maxInFlight: number;
      /** How long a send waits for its acknowledgement before it counts as failed (socket.io-client's timeout). */
      ackTimeoutMs: number;
    }
  /** From now on, remember which messages (clientMessageId) of step `stepId` were accepted and received. Sent before the step. */
  | { type: 'track-ids'; stepId: number }
  | { type: 'received'; stepId: number }
  | { type: 'collect'; stepId: number }
  | { type: 'order-totals' }
  | { type: 'fanout-send'; messageNo: number }
  | { type: 'fanout-collect' }
  | { type: 'count-connected' }
  | { type: 'close' };

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
  startedAt: number;
  finishedAt: number;
}

export interface StepSendResult {
  sent: number;
  /** Not sent because the worker already had maxInFlight unacknowledged messages (the server fell behind). */
  skipped: number;
  /** Acknowledged with `ok: true`: stored. */
  acked: number;
  /** Refused with `overloaded` (nothing stored). */
  refused: number;
  /** Every other outcome: another refusal, or no answer within the ack timeout. */
  failed: number;
  /** Sends whose answer (of any kind) came more than a second after the send, or never. */
  answeredAfter1s: number;
  /** The first of the failures (not of the refusals). */
  firstError?: string;
  startedAt: number;
  lastSentAt: number;
  lastAckAt: number;
  /** Send → `ok` acknowledgement, ms. */
  ackLatencies: number[];
  /** Send → `overloaded` refusal, ms. */
  refusalLatencies: number[];
  /** clientMessageIds of the accepted sends, when the step's ids are tracked. */
  acceptedIds?: string[];
}

/** What a worker's sockets saw of `message:new`'s order: per socket and thread, each seq against the last one. */
export interface OrderCounts {
  /** `message:new` frames checked (after the first of each socket and thread). */
  checked: number;
  /** Frames whose seq was not the last seq + 1. */
  violations: number;
  /** Of those: seq beyond last + 1 (one or more missing, so far). */
  gaps: number;
  /** Of those: seq at or below the highest seen before on that socket (a duplicate, or one that came late). */
  duplicates: number;
}

export interface StepSamples {
  /** Send → receive, ms, of each bench message of the step at a socket of its recipient. */
  latencies: number[];
  lastReceivedAt: number;
  /** Order checks of the step's messages (every socket: recipients' and the sender's own). */
  order: OrderCounts;
  /** When the step's ids are tracked: each of its messages that reached a recipient socket in this worker, and how many of them. */
  receivedBy?: [clientMessageId: string, sockets: number][];
}

export interface FanoutSendResult {
  sentAt: number;
  ackMs: number;
}

/** Sent unprompted by a worker when all of its members have message `messageNo`. */
export interface FanoutComplete {
  event: 'fanout-complete';
  messageNo: number;
  lastAt: number;
}

export interface HttpTarget {
  method: 'GET' | 'POST';
  path: string;
  authorization: string;
  body?: string;
}

export type HttpCommand =
  | { type: 'autocannon'; baseUrl: string; connections: number; durationSeconds: number; targets: HttpTarget[] }
  | { type: 'sample'; baseUrl: string; target: HttpTarget; warmup: number; count: number };

export interface AutocannonSummary {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
}

export interface SampleResult {
  latencies: number[];
  statuses: Record<string, number>;
  bytes: number;
}
