/** Suites sign in and send in bursts from one address; only the rate-limit suites set limits of their own. */
export const RATE_LIMITS_OFF: Record<string, string> = {
  RATE_LIMIT_SIGNIN_PER_USER: '0',
  RATE_LIMIT_SIGNIN_PER_ADDRESS: '0',
  RATE_LIMIT_MESSAGES_PER_SECOND: '0',
  RATE_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE: '0',
};

/**
 * Functional suites never want a send refused because the (shared, loaded) CI machine ran late: the overload suite
 * and the benchmark keep the server's backpressure on.
 */
export const SEND_REFUSALS_OFF: Record<string, string> = { SEND_QUEUE_BUDGET_MS: '0' };
