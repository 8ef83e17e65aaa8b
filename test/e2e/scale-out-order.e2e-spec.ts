import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { checkDeliveryOrder } from '../support/delivery-order.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every socket gets each thread's messages in seq order (test/support/delivery-order.ts) across two instances on one
 * PostgreSQL database and one Redis: each participant has a socket on each instance, and sends go through both.
 */
const ROUNDS = 20;

describe('message:new order on every socket, two instances (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Both instances must accept each other's tokens and share Redis channels, as instances of one deployment do.
    const shared = { REDIS_URL: process.env.REDIS_URL as string, REDIS_KEY_PREFIX: `parley-order-${randomUUID()}`, JWT_SECRET: randomUUID() + randomUUID() };
    a = await startTestApp(shared);
    b = await startTestApp(shared, { databaseUrl: a.databaseUrl as string });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`delivers ${ROUNDS} rounds of concurrent REST and socket sends through both instances to every socket in seq order`, async () => {
    await checkDeliveryOrder([a, b], ROUNDS);
  });
});
