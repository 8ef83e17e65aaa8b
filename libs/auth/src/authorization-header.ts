/** The header types Simple JWT accepts by default; DRF clients send `JWT`, everyone else `Bearer`. */
export const ACCEPTED_SCHEMES = ['Bearer', 'JWT'] as const;

/** The line every 401 about the Authorization header quotes. */
export const AUTHORIZATION_HINT = '"Authorization: Bearer <access token>" (or "JWT <access token>")';

// The scheme is case-insensitive (RFC 9110); the token is one run of non-space characters.
const CREDENTIALS = /^(?:bearer|jwt)[ \t]+(\S+)$/i;

/** The access token of an Authorization header value, or undefined when the value is not `Bearer <token>` or `JWT <token>`. */
export function accessTokenFromHeader(value: string): string | undefined {
  return CREDENTIALS.exec(value.trim())?.[1];
}
