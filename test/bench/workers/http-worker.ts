import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { serveCommands } from '../child-worker.js';
import type { AutocannonSummary, HttpCommand, HttpTarget, SampleResult } from '../protocol.js';

/** HTTP load: autocannon for throughput, and a sequential sampler on one keep-alive connection for exact latencies. */

async function runAutocannon(baseUrl: string, connections: number, durationSeconds: number, targets: HttpTarget[]): Promise<AutocannonSummary> {
  let turn = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationSeconds,
    timeout: 30,
    requests: [
      {
        // Each request goes to the next target in turn: other users, other threads.
        setupRequest: (raw) => {
          const next = targets[turn++ % targets.length];
          return {
            ...raw,
            method: next.method,
            path: next.path,
            headers: { ...raw.headers, authorization: next.authorization, ...(next.body ? { 'content-type': 'application/json' } : {}) },
            ...(next.body ? { body: next.body } : {}),
          };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    requests: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    requestsPerSecond: ok / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMax: result.latency.max,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function timedRequest(baseUrl: string, target: HttpTarget): Promise<{ ms: number; status: number; bytes: number }> {
  const url = new URL(target.path, baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: target.method,
        agent,
        headers: { authorization: target.authorization, ...(target.body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(target.body);
  });
}

async function sample(baseUrl: string, target: HttpTarget, warmup: number, count: number): Promise<SampleResult> {
  for (let i = 0; i < warmup; i += 1) await timedRequest(baseUrl, target);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  for (let i = 0; i < count; i += 1) {
    const outcome = await timedRequest(baseUrl, target);
    latencies.push(outcome.ms);
    statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
    bytes = outcome.bytes;
  }
  return { latencies, statuses, bytes };
}

serveCommands<HttpCommand>(async (command) => {
  switch (command.type) {
    case 'autocannon':
      return runAutocannon(command.baseUrl, command.connections, command.durationSeconds, command.targets);
    case 'sample':
      return sample(command.baseUrl, command.target, command.warmup, command.count);
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
});
