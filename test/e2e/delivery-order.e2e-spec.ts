import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { checkDeliveryOrder } from '../support/delivery-order.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Every socket gets each thread's messages in seq order (test/support/delivery-order.ts): one instance, on the
 * embedded database (one connection) or a PostgreSQL server (a pool of several). */
const ROUNDS = 20;

describe(`message:new order on every socket, one instance (${process.env.DATABASE_URL ? 'PostgreSQL server, pooled connections' : 'embedded database'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`delivers ${ROUNDS} rounds of concurrent REST and socket sends to every socket in seq order, without gaps or repeats`, async () => {
    await checkDeliveryOrder([t], ROUNDS);
  });
});
