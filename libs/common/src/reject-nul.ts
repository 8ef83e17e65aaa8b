import type { NextFunction, Request, Response } from 'express';

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1));
}

/** PostgreSQL text cannot hold a NUL character: refuse it up front with a clear 400 instead of failing in SQL. */
export function rejectNulCharacters(req: Request, res: Response, next: NextFunction): void {
  if (containsNul(req.body) || containsNul(req.query) || req.path.includes('\u0000')) {
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: 'NUL characters (\\u0000) are not allowed.', code: 'nul_character' });
    return;
  }
  next();
}
