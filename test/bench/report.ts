import type { MachineInfo } from './machine.js';
import type { CpuUse } from './process-stats.js';
import type { BenchPlan } from './plan.js';
import type { ConnectionsResult } from './scenarios/connections.js';
import type { OrderCounts } from './protocol.js';
import type { DeliveryResult, DeliveryRun, DeliveryStep, OverloadStep } from './scenarios/delivery.js';
import type { FanoutResult } from './scenarios/fanout.js';
import type { RestResult } from './scenarios/rest.js';
import { SEARCH_COMMON, SEARCH_RARE, type ScaleResult } from './scenarios/scale.js';

export interface TargetCheck {
  scenario: string;
  target: string;
  measured: string;
  baseline: string;
  met: boolean | null;
}

export interface BenchResults {
  kind: 'full' | 'quick';
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  database: { kind: 'postgres' | 'embedded'; version: string; where: string };
  tokens: string;
  plan: BenchPlan;
  delivery?: DeliveryResult;
  fanout?: FanoutResult;
  rest?: RestResult;
  scale?: ScaleResult;
  connections?: ConnectionsResult;
  targets: TargetCheck[];
  failures: { scenario: string; error: string }[];
}

const n = (value: number | null | undefined): string => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toLocaleString('en'));
const ms = (value: number | null | undefined): string => (value === null || value === undefined || Number.isNaN(value) ? '–' : `${value} ms`);
const trio = (d: { p50: number; p95: number; p99: number }): string => `${d.p50} / ${d.p95} / ${d.p99}`;
const p50p99max = (d: { p50: number; p99: number; max: number }): string => `${n(d.p50)} / ${n(d.p99)} / ${n(d.max)}`;
const percent = (fraction: number): string => `${Math.floor(fraction * 10_000) / 100}%`;
const orderText = (order: OrderCounts): string =>
  `${n(order.violations)} in ${n(order.checked)} frames checked (${n(order.gaps)} gaps, ${n(order.duplicates)} duplicates or late)`;

/** Requests per second the REST scenario must reach, by its endpoint names (scenarios/rest.ts). */
const REST_TARGETS: { name: string; label: string; perSecond: number }[] = [
  { name: 'history, 50 messages', label: 'history page of 50', perSecond: 1_500 },
  { name: 'threads list', label: 'threads list', perSecond: 1_000 },
  { name: 'send a message', label: 'send a message', perSecond: 1_500 },
  { name: 'unread counts', label: 'unread counts', perSecond: 3_000 },
];

/** Overload: every send answered within a second, a refusal at once (p99 within this). */
const REFUSAL_P99_LIMIT_MS = 100;
const OVERLOAD_DELIVERED_FRACTION = 0.99;
const OVERLOAD_P99_LIMIT_MS = 250;

/** Every send of the overload step acknowledged within 1 s or refused at once, and nothing held back by the load generator. */
export function overloadAnsweredInTime(overload: OverloadStep): boolean {
  return (
    overload.sent > 0 &&
    overload.skipped === 0 &&
    overload.otherFailures === 0 &&
    overload.answeredAfter1s === 0 &&
    (overload.refused === 0 || overload.refusalAck.p99 <= REFUSAL_P99_LIMIT_MS)
  );
}
const cpu = (use: CpuUse | undefined): string => {
  if (!use) return '';
  const figure = (value: number): string => (value >= 10 ? value.toFixed(1) : value.toFixed(2));
  return `${figure(use.serverMs)} / ${use.databaseMs === null ? 'in server' : figure(use.databaseMs)} / ${figure(use.clientsMs)}`;
};

export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { delivery, fanout, rest, scale, connections } = results;
  if (delivery) {
    const { parley, relay } = delivery;
    checks.push({
      scenario: '1. Delivery',
      target: 'sustained throughput ≥ ¼ of the bare relay in the same run',
      measured: `${n(parley.sustainedPerSecond)} msg/s (ratio ${delivery.ratio})`,
      baseline: `relay ${n(relay.sustainedPerSecond)} msg/s`,
      met: relay.sustainedPerSecond > 0 ? parley.sustainedPerSecond >= relay.sustainedPerSecond / 4 : null,
    });
    checks.push({
      scenario: '1. Delivery',
      target: 'stored and delivered: what the database path alone could take (reported)',
      measured: `${n(parley.sustainedPerSecond)} msg/s`,
      baseline: delivery.storageCeiling ? `the send path to the database alone ${n(delivery.storageCeiling.storedPerSecond)} msg/s` : '–',
      met: null,
    });
    const relayAt2000 = relay.p99At2000;
    checks.push({
      scenario: '1. Delivery',
      target: 'p99 send→receive < 50 ms at 2,000 msg/s',
      measured: parley.p99At2000 === null ? 'no 2,000 msg/s step reached' : ms(parley.p99At2000),
      baseline: `relay ${relayAt2000 === null ? '–' : ms(relayAt2000)}`,
      met: parley.p99At2000 === null ? false : parley.p99At2000 < 50,
    });
    checks.push({
      scenario: '1. Delivery',
      target: "every socket gets each thread's `message:new` in seq order, no gap, no duplicate: 0 order violations",
      measured: `Parley ${orderText(parley.order)}`,
      baseline: `relay ${orderText(relay.order)}`,
      met: parley.order.checked > 0 ? parley.order.violations === 0 : null,
    });
    const overload = delivery.overload;
    const overloadPlan = results.plan.delivery.overload;
    const overloadName = `Overload (${overloadPlan.factor}× sustained, ≥ ${n(overloadPlan.minRate)} msg/s, ${overloadPlan.seconds} s)`;
    checks.push({
      scenario: '1. Delivery',
      target: `${overloadName}: every send acknowledged within 1 s or refused at once (refusal ack p99 ≤ ${REFUSAL_P99_LIMIT_MS} ms)`,
      measured:
        `${n(overload.sent)} sent at ${n(overload.offeredPerSecond)} msg/s: ${n(overload.accepted)} accepted (ack p99 / max ${ms(overload.acceptedAck.p99)} / ${ms(overload.acceptedAck.max)}), ` +
        `${n(overload.refused)} refused (ack p50 / p99 / max ${p50p99max(overload.refusalAck)} ms), ${n(overload.otherFailures)} other failures` +
        `${overload.firstError ? ` (${overload.firstError})` : ''}, ${n(overload.answeredAfter1s)} answered after 1 s` +
        `${overload.skipped > 0 ? `, ${n(overload.skipped)} not sent by the load generator` : ''}`,
      baseline: `sustained ${n(overload.sustainedPerSecond)} msg/s`,
      met: overloadAnsweredInTime(overload),
    });
    checks.push({
      scenario: '1. Delivery',
      target: `${overloadName}: ≥ ${OVERLOAD_DELIVERED_FRACTION * 100}% of accepted messages delivered (to both sockets of the recipient)`,
      measured: `${percent(overload.deliveredFraction)} (${n(overload.deliveredToAll)} of ${n(overload.accepted)})`,
      baseline: '–',
      met: overload.accepted > 0 && overload.deliveredFraction >= OVERLOAD_DELIVERED_FRACTION,
    });
    checks.push({
      scenario: '1. Delivery',
      target: `${overloadName}: p99 send→receive of accepted messages < ${OVERLOAD_P99_LIMIT_MS} ms`,
      measured: `${ms(overload.latency.p99)} (p50 ${ms(overload.latency.p50)})`,
      baseline: '–',
      met: overload.latency.count > 0 && overload.latency.p99 < OVERLOAD_P99_LIMIT_MS,
    });
  }
  if (fanout) {
    checks.push({
      scenario: '2. Fan-out',
      target: `p99 until the last member < 250 ms (1,000 members)`,
      measured: `${ms(fanout.lastMember.p99)} with ${n(fanout.members)} members`,
      baseline: `single delivery p99 ${ms(fanout.perDelivery.p99)}`,
      met: fanout.incomplete === 0 && fanout.lastMember.p99 < 250,
    });
  }
  if (rest) {
    for (const target of REST_TARGETS) {
      const endpoint = rest.endpoints.find((e) => e.name === target.name);
      checks.push({
        scenario: '3. REST',
        target: `${target.label} (\`${endpoint?.request ?? target.name}\`): ≥ ${n(target.perSecond)} requests/s`,
        measured: endpoint
          ? `${n(endpoint.requestsPerSecond)} req/s (p99 ${ms(endpoint.latencyP99)})${endpoint.non2xx + endpoint.errors > 0 ? `, ${n(endpoint.non2xx)} non-2xx, ${n(endpoint.errors)} errors` : ''}`
          : 'not measured',
        baseline: `${rest.connections} connections`,
        met: endpoint ? endpoint.requestsPerSecond >= target.perSecond : null,
      });
    }
  }
  if (scale && scale.sizes.length > 0) {
    const first = scale.sizes[0];
    const last = scale.sizes[scale.sizes.length - 1];
    const unread = (size: typeof first): number => size.endpoints[0].latency.p99;
    checks.push({
      scenario: '4. Scale',
      target: 'unread counts, user in 1,000 threads, 1M messages: p99 < 5 ms',
      measured: `${ms(unread(last))} at ${n(last.messages)} messages`,
      baseline: `${ms(unread(first))} at ${n(first.messages)}`,
      met: unread(last) < 5,
    });
    checks.push({
      scenario: '4. Scale',
      target: 'unread counts within 2× of the figure at 10k messages',
      measured: `${Math.round((unread(last) / unread(first)) * 100) / 100}×`,
      baseline: `${ms(unread(first))} at ${n(first.messages)}`,
      met: unread(last) <= 2 * unread(first),
    });
    const deep = last.endpoints.find((e) => e.name.includes('by beforeSeq'));
    checks.push({
      scenario: '4. Scale',
      target: 'history page of 50, 900k deep, by beforeSeq: p99 < 10 ms',
      measured: deep ? `${ms(deep.latency.p99)} (${n(last.deepOffset)} deep)` : '–',
      baseline: `first page ${ms(last.endpoints[2].latency.p99)}`,
      met: deep ? deep.latency.p99 < 10 : null,
    });
    for (const [name, limitMs] of [
      [SEARCH_RARE, 50],
      [SEARCH_COMMON, 250],
    ] as const) {
      const search = last.endpoints.find((e) => e.name === name);
      checks.push({
        scenario: '4. Scale',
        target: `${name}, 1M messages: p95 < ${limitMs} ms`,
        measured: search ? `${ms(search.latency.p95)} at ${n(last.messages)} messages` : '–',
        baseline: search ? `p50 ${ms(search.latency.p50)}` : '–',
        met: search ? search.latency.p95 < limitMs : null,
      });
    }
  }
  if (connections) {
    checks.push({
      scenario: '5. Connections',
      target: '≥ 10,000 sockets on one process',
      measured: `${n(connections.held)} held`,
      baseline: '–',
      met: connections.held >= 10_000,
    });
    checks.push({
      scenario: '5. Connections',
      target: '< 30 KiB of memory per connection',
      measured: `${connections.kibPerConnection} KiB`,
      baseline: '–',
      met: connections.kibPerConnection < 30,
    });
  }
  return checks;
}

function deliveryTable(delivery: DeliveryResult): string[] {
  const rates = [...new Set([...delivery.relay.steps, ...delivery.parley.steps].map((s) => s.offeredPerSecond))].sort((a, b) => a - b);
  const stepAt = (run: DeliveryRun, rate: number): DeliveryStep | undefined => run.steps.find((s) => s.offeredPerSecond === rate);
  const delivered = (step: DeliveryStep | undefined): string =>
    step ? `${n(step.deliveredPerSecond)}${step.sustained ? '' : ' ✗'}${step.attempts === 2 ? ' ²' : ''}` : '';
  const violations = (step: DeliveryStep | undefined): string => (step ? n(step.order.violations) : '');
  return [
    '| offered msg/s | relay delivered/s | relay p50 / p95 / p99 ms | relay order violations | relay CPU ms/msg: relay / load | Parley stored/s | Parley refused | Parley delivered/s | Parley p50 / p95 / p99 ms | Parley ack p99 ms | Parley order violations | Parley CPU ms/msg: server / PostgreSQL / load |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rates.map((rate) => {
      const relay = stepAt(delivery.relay, rate);
      const parley = stepAt(delivery.parley, rate);
      const relayCpu = relay ? `${relay.cpuPerMessage.serverMs.toFixed(3)} / ${relay.cpuPerMessage.clientsMs.toFixed(3)}` : '';
      return (
        `| ${n(rate)} | ${delivered(relay)} | ${relay ? trio(relay.latency) : ''} | ${violations(relay)} | ${relayCpu} | ` +
        `${parley ? n(parley.storedPerSecond) : ''} | ${parley ? n(parley.refused) : ''} | ${delivered(parley)} | ${parley ? trio(parley.latency) : ''} | ` +
        `${parley?.ack.p99 ?? ''} | ${violations(parley)} | ${cpu(parley?.cpuPerMessage)} |`
      );
    }),
  ];
}

function overloadSection(delivery: DeliveryResult, plan: BenchPlan['delivery']['overload']): string[] {
  const o = delivery.overload;
  return [
    '### Overload (Parley)',
    '',
    `After the stepped run, on the same sockets and send slots: ${plan.factor}× the sustained rate (${n(o.sustainedPerSecond)} msg/s), at least ` +
      `${n(plan.minRate)} msg/s, for ${o.seconds} s: **${n(o.offeredPerSecond)} msg/s offered**. The load generators hold nothing back ` +
      `(in-flight limit ${n(plan.maxInFlightPerWorker)} per process, ack timeout ${n(plan.ackTimeoutMs)} ms): refusing is the server's job, with ` +
      '`{ok: false, error: {code: "overloaded", retryAfterMs}}`. Each message is followed by its clientMessageId from the acknowledgement to every ' +
      'socket of its recipient; stragglers are awaited as in the steps (until all arrived, or nothing more for 3 s). ' +
      `Targets: every send acknowledged within 1 s or refused at once (refusal p99 ≤ ${REFUSAL_P99_LIMIT_MS} ms), ≥ ${OVERLOAD_DELIVERED_FRACTION * 100}% of the ` +
      `accepted delivered, p99 send→receive of the accepted < ${OVERLOAD_P99_LIMIT_MS} ms.`,
    '',
    '| offered msg/s | sent | not sent | accepted | accepted/s | refused (`overloaded`) | other failures | answered after 1 s | accepted ack p50 / p99 / max ms | refusal ack p50 / p99 / max ms | delivered to both sockets | send→receive p50 / p95 / p99 ms | order violations | CPU ms/accepted msg: server / PostgreSQL / load |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${n(o.offeredPerSecond)} | ${n(o.sent)} | ${n(o.skipped)} | ${n(o.accepted)} | ${n(o.acceptedPerSecond)} | ${n(o.refused)} | ` +
      `${n(o.otherFailures)}${o.firstError ? ` (${o.firstError})` : ''} | ${n(o.answeredAfter1s)} | ${p50p99max(o.acceptedAck)} | ${p50p99max(o.refusalAck)} | ` +
      `${n(o.deliveredToAll)} (${percent(o.deliveredFraction)}) | ${trio(o.latency)} | ${n(o.order.violations)} | ${cpu(o.cpuPerMessage)} |`,
    '',
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, database, plan } = results;
  const lines: string[] = [];
  lines.push(`# Parley benchmark — ${results.kind === 'quick' ? 'quick run (smoke check, smaller than the targets describe)' : 'full run'}`, '');
  lines.push(
    `Run ${results.startedAt} on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.kernel}, Node ${machine.node}; ` +
      `database: ${database.kind === 'postgres' ? 'PostgreSQL server' : 'embedded PostgreSQL (PGlite)'} ${database.version}, same machine. ` +
      `Took ${Math.round(results.durationSeconds)} s. Load average ${machine.loadAverageAtStart.join(' / ')} at the start, ${machine.loadAverageAtEnd?.join(' / ') ?? '–'} at the end ` +
      '(other work on the machine shows up as noise).',
    '',
  );
  lines.push(
    'Every server under test is a child process: Parley is the built `dist/apps/api/src/main.js` with `NODE_ENV=production`, `LOG_LEVEL=warn`, rate limits off, ' +
      'the default pool of 10 connections (1 on the embedded database), on a fresh database created for the run and dropped after it. ' +
      'Load comes from other child processes: real `socket.io-client` connections (WebSocket transport) and autocannon. ' +
      `Latency is taken from a timestamp in the sender process to the arrival in the receiver process (one clock). ${results.tokens} ` +
      "CPU figures are CPU time (from /proc) per operation of the server process, of the PostgreSQL backends serving the run's database " +
      '(on the embedded database that work is inside the server process), and of the load-generating processes: unlike latency, they hardly depend on what else runs on the machine.',
    '',
  );
  if (results.failures.length > 0) {
    lines.push('**Scenarios that failed:**', '', ...results.failures.map((f) => `- ${f.scenario}: ${f.error.split('\n')[0]}`), '');
  }

  lines.push('## Targets', '');
  if (results.kind === 'quick') lines.push('_Quick run: smaller loads than the targets are stated for; the verdicts only indicate._', '');
  lines.push('| scenario | target | measured | beside it | met |', '| --- | --- | --- | --- | :---: |');
  for (const check of results.targets) {
    lines.push(`| ${check.scenario} | ${check.target} | ${check.measured} | ${check.baseline} | ${check.met === null ? '–' : check.met ? 'yes' : 'no'} |`);
  }
  lines.push('');

  const { delivery, fanout, rest, scale, connections } = results;
  if (delivery) {
    lines.push('## 1. Delivery', '');
    lines.push(
      `${delivery.users} users, one direct thread between every two of them (${delivery.threads} threads), each user with ${delivery.socketsPerUser} sockets ` +
        `(${delivery.sockets} in all); socket k of every user is in load process k (${delivery.workers} processes). Every socket sends and receives: ` +
        `on thread i (users a, b), a sends through its socket i mod ${delivery.socketsPerUser} and b through its socket (i + 1) mod ${delivery.socketsPerUser}, ` +
        `${delivery.sendSlots} send slots in all, ${delivery.sendSlots / delivery.workers} in each process. Each process's open-loop sender cycles over its ` +
        `slots at its share of the offered rate (its slots ÷ ${delivery.sendSlots}), \`message:send\` with the text \`bench <step> <sentAt> load\` and a new ` +
        `clientMessageId each, for ${delivery.stepSeconds} s per step after a warm-up. Every socket listens to \`message:new\`: a bench message of another user ` +
        `is a delivery, timed from the send stamp in its text; a stored message is delivered when it reached both sockets of its recipient ` +
        `(deliveries ≥ ${delivery.socketsPerUser} × stored). Every socket also checks the order of every \`message:new\` it gets, its own user's included: ` +
        `per thread, a seq other than the last one seen + 1 is an order violation (a gap when beyond it, a duplicate or late one when at or below). ` +
        `The rate steps up until p99 passes ${delivery.p99LimitMs} ms or a step is not sustained (✗: messages skipped by the load generator because ` +
        `${plan.delivery.maxInFlightPerWorker.toLocaleString('en')} per process were unacknowledged, refused, failed, or not delivered to both sockets of ` +
        'their recipient; ²: a step that failed was measured once more, these are the second figures). Stored/s counts acknowledgements ' +
        '(the message is committed); delivered/s counts messages per second at their recipients (deliveries ÷ ' +
        `${delivery.socketsPerUser}); order violations are those of the step's messages. Baseline: a bare Socket.IO relay (no auth, no database, ` +
        '`test/bench/relay-server.ts`) that acknowledges each send and emits a Parley-shaped `message:new` (`{message, unreadCount, totalUnread, ' +
        'readByAllSeq}`, with a per-thread seq) to the rooms of the recipient and of the sender, so that each message is ' +
        `${delivery.socketsPerUser * 2} frames as on Parley; under the same load, with the same receivers, in the same run.`,
      '',
    );
    lines.push(...deliveryTable(delivery), '');
    lines.push(
      `Sustained (every message stored and delivered to both sockets of its recipient, p99 ≤ ${delivery.p99LimitMs} ms): **Parley ${n(delivery.parley.sustainedPerSecond)} msg/s**, ` +
        `relay ${n(delivery.relay.sustainedPerSecond)} msg/s, ratio **${delivery.ratio}**. ` +
        `Parley stopped because ${delivery.parley.stoppedBecause}; the relay because ${delivery.relay.stoppedBecause}.`,
      '',
      `Order over the whole run (warm-up, repeated steps and the overload step included), every socket: Parley ${orderText(delivery.parley.order)}; ` +
        `relay ${orderText(delivery.relay.order)}.`,
      '',
      ...(delivery.storageCeiling
        ? [
            `Storage ceiling on this machine: Parley's send path to the database alone (\`MessageSendQueue\`, its group commit and batch statement, through TypeORM and pg, ` +
              `pool of 10, ${delivery.storageCeiling.concurrency} callers back to back in another process, no HTTP, sockets or Nest) stored ` +
              `**${n(delivery.storageCeiling.storedPerSecond)} msg/s**, p50 / p99 ${delivery.storageCeiling.latency.p50} / ${delivery.storageCeiling.latency.p99} ms, ` +
              `CPU per message ${delivery.storageCeiling.cpuPerMessage.serverMs.toFixed(2)} ms in the caller and ${delivery.storageCeiling.cpuPerMessage.databaseMs?.toFixed(2) ?? '–'} ms in PostgreSQL.`,
            '',
          ]
        : []),
      '![Delivery latency against offered rate](latency.svg)',
      '',
      ...overloadSection(delivery, plan.delivery.overload),
    );
  }
  if (fanout) {
    lines.push('## 2. Group fan-out', '');
    lines.push(
      `One group of ${n(fanout.members)} members, every member connected (${n(fanout.connected)} sockets over ${fanout.workers} processes, connected in ${fanout.connectSeconds} s). ` +
        `${fanout.messages} messages, one at a time (50 ms apart, after warm-up), each timed from the send until the last of the other ${n(fanout.members - 1)} members has it.`,
      '',
      '| members | messages | last member p50 / p95 / p99 / max ms | any member p50 / p95 / p99 ms | sender ack p50 / p99 ms | incomplete | CPU ms/message: server / PostgreSQL / members |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${n(fanout.members)} | ${fanout.messages} | ${trio(fanout.lastMember)} / ${fanout.lastMember.max} | ${trio(fanout.perDelivery)} | ${fanout.ack.p50} / ${fanout.ack.p99} | ${fanout.incomplete} | ${cpu(fanout.cpuPerMessage)} |`,
      '',
    );
  }
  if (rest) {
    lines.push('## 3. REST', '');
    lines.push(
      `autocannon, ${rest.connections} connections, ${rest.durationSeconds} s per request type; each request as the next of ${rest.users} users ` +
        `or into the next of their ${n(rest.threads)} direct threads (60 messages each at the start). Nobody is connected by socket meanwhile.`,
      '',
      '| request | requests/s | p50 ms | p99 ms | max ms | non-2xx | errors | CPU ms/request: server / PostgreSQL / autocannon |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rest.endpoints.map(
        (e) =>
          `| ${e.name}: \`${e.request}\` | ${n(e.requestsPerSecond)} | ${e.latencyP50} | ${e.latencyP99} | ${e.latencyMax} | ${e.non2xx} | ${e.errors} | ${cpu(e.cpuPerRequest)} |`,
      ),
      '',
    );
  }
  if (scale && scale.sizes.length > 0) {
    lines.push('## 4. Scale', '');
    lines.push(
      `${n(scale.threads)} direct threads; one user is in ${n(scale.busyUserThreads)} of them, among them the biggest thread (95% of all messages); ` +
        `the rest are spread evenly. Loaded with bulk SQL (generate_series) between measurements, then \`VACUUM ANALYZE\`. ` +
        `Each request ${scale.samples} times in a row on one keep-alive connection, as that user, after warm-up. ` +
        (scale.note ? `_${scale.note}._` : ''),
      '',
    );
    const header = scale.sizes.map((s) => `${n(s.messages)} messages p50 / p95 / p99 ms`);
    lines.push(`| request | ${header.join(' | ')} |`, `| --- | ${header.map(() => '---:').join(' | ')} |`);
    scale.sizes[0].endpoints.forEach((endpoint, i) => {
      const name = endpoint.name.includes('deep') ? endpoint.name.replace(/[\d,]+ deep/, '90% deep') : endpoint.name;
      lines.push(
        `| ${name} | ${scale.sizes.map((s) => `${s.endpoints[i].latency.p50} / ${s.endpoints[i].latency.p95} / ${s.endpoints[i].latency.p99}`).join(' | ')} |`,
      );
    });
    lines.push(
      '',
      '"90% deep" is a page of 50 at offset 0.9 × the total: ' +
        scale.sizes.map((s) => n(s.deepOffset)).join(', ') +
        ' (the same 50 messages by `beforeSeq` and by `offset`).',
      '',
      'The deep page in PostgreSQL itself (`EXPLAIN ANALYZE`, median of 3):',
      '',
      '| messages | naive `ORDER BY seq OFFSET n LIMIT 50`: rows read, ms | what Parley runs, `seq > n ORDER BY seq LIMIT 50`: rows read, ms |',
      '| ---: | ---: | ---: |',
      ...scale.sizes.map(
        (s) =>
          `| ${n(s.messages)} | ${n(s.deepPagePlans.naiveOffset.rowsRead)}, ${s.deepPagePlans.naiveOffset.executionMs} | ${n(s.deepPagePlans.seqRange.rowsRead)}, ${s.deepPagePlans.seqRange.executionMs} |`,
      ),
      '',
      'Why the offset path stays flat: `seq` is gapless (1…n per thread, messages are never deleted one by one), so `offset=k` is the seq range ' +
        '`seq > k` and Parley runs it as an index range scan on `(thread_id, seq)` that reads the 50 rows it returns; a SQL `OFFSET` would walk ' +
        'and discard every row before the page. The count comes from `threads.last_seq`, not `COUNT(*)`. Unread counts come from ' +
        '`threads.last_seq − last_read_seq − own_after_marker` per thread the user is in: the cost follows the number of threads, not messages.',
      '',
    );
  }
  if (connections) {
    lines.push('## 5. Connections', '');
    lines.push(
      `Idle authenticated sockets (each a user of its own, token in the handshake, connected once \`hello\` arrived) on one freshly started server process, ` +
        `opened by ${connections.clientProcesses} client processes, ${plan.connections.concurrencyPerWorker} at a time each. Memory per connection is the ` +
        `server's RSS (from /proc) after all connected and settled, minus before, divided by the sockets held. Open-files limit: ${connections.openFilesLimit ?? 'unlimited'}.` +
        (connections.note ? ` _${connections.note}._` : ''),
      '',
      '| sockets | held | failed | connect time | connects/s | RSS before | RSS after | per connection | CPU ms/connect: server / PostgreSQL / clients |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${n(connections.requested)} | ${n(connections.held)} | ${connections.failed} | ${connections.connectSeconds} s | ${n(connections.connectsPerSecond)} | ${connections.rssBeforeMiB} MiB | ${connections.rssAfterMiB} MiB | ${connections.kibPerConnection} KiB | ${cpu(connections.cpuPerConnection)} |`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Latency percentiles against offered rate, Parley and the relay, on log scales; a self-made SVG. */
export function renderLatencySvg(delivery: DeliveryResult | undefined, title: string): string {
  const width = 860;
  const height = 500;
  const margin = { left: 70, right: 200, top: 50, bottom: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const runs = delivery ? [delivery.parley, delivery.relay] : [];
  const steps = runs.flatMap((run) => run.steps);
  const rates = steps.map((s) => s.offeredPerSecond);
  const values = steps.flatMap((s) => [s.latency.p50, s.latency.p95, s.latency.p99]).filter((v) => v > 0 && Number.isFinite(v));
  const xMin = Math.pow(10, Math.floor(Math.log10(Math.min(...rates, 1_000))));
  const xMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...rates, 1_000))));
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 200))));
  const x = (rate: number): number => margin.left + ((Math.log10(rate) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const y = (latency: number): number =>
    margin.top + plotH - ((Math.log10(Math.max(latency, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  // Grid and axes: decades with 2 and 5 in between.
  for (let decade = xMin; decade <= xMax; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const rate = decade * m;
      if (rate > xMax) break;
      out.push(`<line x1="${x(rate)}" y1="${margin.top}" x2="${x(rate)}" y2="${margin.top + plotH}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x(rate)}" y="${margin.top + plotH + 18}" text-anchor="middle">${rate.toLocaleString('en')}</text>`);
    }
  }
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const latency = decade * m;
      if (latency > yMax) break;
      out.push(`<line x1="${margin.left}" y1="${y(latency)}" x2="${margin.left + plotW}" y2="${y(latency)}" stroke="#e5e5e5"/>`);
      out.push(
        `<text x="${margin.left - 8}" y="${y(latency) + 4}" text-anchor="end">${latency < 1 ? latency.toFixed(1) : latency.toLocaleString('en')}</text>`,
      );
    }
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 18}" text-anchor="middle">offered rate (messages/s, log scale)</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">send → receive latency (ms, log scale)</text>`);
  for (const [limit, label] of [
    [50, 'target p99 at 2,000/s: 50 ms'],
    [100, 'step limit: p99 100 ms'],
  ] as const) {
    out.push(`<line x1="${margin.left}" y1="${y(limit)}" x2="${margin.left + plotW}" y2="${y(limit)}" stroke="#c00" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${margin.left + 6}" y="${y(limit) - 4}" fill="#c00" font-size="11">${label}</text>`);
  }
  const series: { run: DeliveryRun | undefined; key: 'p50' | 'p95' | 'p99'; color: string; dash: string; label: string }[] = [
    { run: delivery?.parley, key: 'p99', color: '#1f4e9c', dash: '', label: 'Parley p99' },
    { run: delivery?.parley, key: 'p95', color: '#4f7fcf', dash: '', label: 'Parley p95' },
    { run: delivery?.parley, key: 'p50', color: '#9bb8e8', dash: '', label: 'Parley p50' },
    { run: delivery?.relay, key: 'p99', color: '#b35c00', dash: '6 4', label: 'bare relay p99' },
    { run: delivery?.relay, key: 'p95', color: '#e08a2c', dash: '6 4', label: 'bare relay p95' },
    { run: delivery?.relay, key: 'p50', color: '#f2bf80', dash: '6 4', label: 'bare relay p50' },
  ];
  series.forEach((s, i) => {
    const points = (s.run?.steps ?? [])
      .filter((step) => Number.isFinite(step.latency[s.key]))
      .map((step) => `${x(step.offeredPerSecond).toFixed(1)},${y(step.latency[s.key]).toFixed(1)}`);
    if (points.length > 0) {
      out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const point of points) {
        const [px, py] = point.split(',');
        out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${s.color}"/>`);
      }
    }
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${s.label}</text>`);
  });
  if (!delivery) out.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH / 2}" text-anchor="middle">no delivery results</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
