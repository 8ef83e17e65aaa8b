/** The line every 401 about the Authorization header quotes: Simple JWT's clients send `JWT`, everyone else `Bearer`. */
export const AUTHORIZATION_HINT = '"Authorization: Bearer <access token>" (or "JWT <access token>")';
