/** What a run does: the full benchmark, or the quick smoke run CI uses (smaller, clearly labelled). */
export interface BenchPlan {
  quick: boolean;
  delivery: {
    /** Users chatting with each other: one direct thread per pair of them, each user sending on all of its threads. */
    users: number;
    /** Sockets per user; socket k of every user is in load process k % workers. */
    socketsPerUser: number;
    workers: number;
    warmupRate: number;
    warmupSeconds: number;
    stepSeconds: number;
    rates: number[];
    maxInFlightPerWorker: number;
    p99LimitMs: number;
    /** Measure a failing step once more before stopping (not in the quick run: it only has to finish and report). */
    confirmFailures: boolean;
    /**
     * Parley only, after the stepped run: the offered rate is `overloadFactor` × the sustained rate (at least
     * `overloadMinRate`) for `overloadSeconds`; the load generator never holds back (maxInFlight), refusing is the server's job.
     */
    overload: { factor: number; minRate: number; seconds: number; maxInFlightPerWorker: number; ackTimeoutMs: number };
  };
  fanout: { members: number; messages: number; warmupMessages: number; workers: number };
  rest: { users: number; threadsPerUser: number; messagesPerThread: number; connections: number; durationSeconds: number };
  scale: {
    sizes: number[];
    threads: number;
    busyUserThreads: number;
    bigThreadShare: number;
    deepShare: number;
    warmup: number;
    samples: number;
    note?: string;
  };
  connections: { sockets: number; workers: number; concurrencyPerWorker: number; note?: string };
}

export function makePlan(quick: boolean, database: 'postgres' | 'embedded'): BenchPlan {
  const embedded = database === 'embedded';
  if (quick) {
    return {
      quick,
      delivery: {
        users: 6,
        socketsPerUser: 2,
        workers: 2,
        warmupRate: 200,
        warmupSeconds: 1,
        stepSeconds: 2,
        rates: [250, 1_000, 4_000],
        maxInFlightPerWorker: 4000,
        p99LimitMs: 100,
        confirmFailures: false,
        overload: { factor: 2, minRate: 500, seconds: 2, maxInFlightPerWorker: 1_000_000, ackTimeoutMs: 10_000 },
      },
      fanout: { members: 200, messages: 20, warmupMessages: 2, workers: 2 },
      rest: { users: 10, threadsPerUser: 20, messagesPerThread: 60, connections: 20, durationSeconds: 2 },
      scale: {
        sizes: embedded ? [10_000, 20_000] : [10_000, 100_000],
        threads: 10_000,
        busyUserThreads: 1_000,
        bigThreadShare: 0.95,
        deepShare: 0.9,
        warmup: 5,
        samples: 50,
        note: 'quick run: smaller histories than the full 10k/100k/1M',
      },
      connections: { sockets: 1_000, workers: 2, concurrencyPerWorker: 25, note: 'quick run: 1,000 sockets instead of 10,000' },
    };
  }
  return {
    quick,
    delivery: {
      users: 6,
      socketsPerUser: 2,
      workers: 2,
      warmupRate: 200,
      warmupSeconds: 2,
      stepSeconds: 5,
      rates: [100, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000, 16_000, 24_000, 32_000, 48_000],
      maxInFlightPerWorker: 20_000,
      p99LimitMs: 100,
      confirmFailures: true,
      overload: { factor: 2, minRate: 500, seconds: 10, maxInFlightPerWorker: 1_000_000, ackTimeoutMs: 10_000 },
    },
    fanout: { members: 1_000, messages: 100, warmupMessages: 5, workers: 4 },
    rest: { users: 20, threadsPerUser: 60, messagesPerThread: 60, connections: 20, durationSeconds: 10 },
    scale: {
      sizes: embedded ? [10_000, 100_000] : [10_000, 100_000, 1_000_000],
      threads: 10_000,
      busyUserThreads: 1_000,
      bigThreadShare: 0.95,
      deepShare: 0.9,
      warmup: 30,
      samples: 500,
      ...(embedded ? { note: 'embedded database: up to 100k messages (loading 1M into PGlite takes too long)' } : {}),
    },
    connections: { sockets: 10_000, workers: 4, concurrencyPerWorker: 50 },
  };
}
