import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { checkDeliveryOrder } from '../support/delivery-order.js';
import { deploymentEnv, startTwoInstances, type TestApp } from '../support/test-app.js';

/**
 * Every socket gets each thread's messages in seq order (test/support/delivery-order.ts) across two instances on one
 * PostgreSQL database and one Redis: each participant has a socket on each instance, and sends go through both.
 */
const ROUNDS = 20;

describe('message:new order on every socket, two instances (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await startTwoInstances(deploymentEnv('order'));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`delivers ${ROUNDS} rounds of concurrent REST and socket sends through both instances to every socket in seq order`, async () => {
    await checkDeliveryOrder([a, b], ROUNDS);
  });
});
