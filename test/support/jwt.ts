import { createHmac } from 'node:crypto';

/** Hand-made JWTs for access-control tests: signed with a known secret, or altered after signing. */

const base64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

/** An HS256 JWT over `payload`, signed with `secret` (exp/iat are whatever the payload says). */
export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export function decodePayload(token: string): Record<string, unknown> {
  const [, body] = token.split('.');
  return JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The same token with its payload changed and the original signature kept. */
export function withPayload(token: string, changes: Record<string, unknown>): string {
  const [head, , signature] = token.split('.');
  return `${head}.${base64url(JSON.stringify({ ...decodePayload(token), ...changes }))}.${signature}`;
}

/** The same token with one character of its signature changed. */
export function withAlteredSignature(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

/** The token's payload under `alg: none`, without a signature. */
export function unsigned(token: string): string {
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${token.split('.')[1]}.`;
}
