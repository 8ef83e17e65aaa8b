/** Messages between the bench and its load-generating child processes (over Node's IPC channel). */

/** One Socket.IO client a worker holds. */
export interface ClientSpec {
  userId: number;
  /** Parley: an access JWT. The bare relay takes the user id instead (no auth). */
  token?: string;
  role: 'sender' | 'receiver' | 'member' | 'idle';
  /** Senders: the thread they write to. */
  threadId?: number;
  /** Senders on the relay: whom the relay forwards to. */
  peerUserId?: number;
}

export type Target = 'parley' | 'relay';

export type SocketCommand =
  | { type: 'connect'; baseUrl: string; target: Target; clients: ClientSpec[]; concurrency: number }
  | { type: 'send-step'; stepId: number; ratePerSecond: number; durationMs: number; maxInFlight: number }
  | { type: 'received'; stepId: number }
  | { type: 'collect'; stepId: number }
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
  acked: number;
  failed: number;
  firstError?: string;
  startedAt: number;
  lastSentAt: number;
  lastAckAt: number;
  ackLatencies: number[];
}

export interface StepSamples {
  latencies: number[];
  lastReceivedAt: number;
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
