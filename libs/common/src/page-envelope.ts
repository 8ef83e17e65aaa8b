import type { Request } from 'express';
import type { Page, PageLinks } from './pagination.js';
import { offsetPageLinks } from './pagination.js';

export interface PageEnvelope<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Absolute URL of the current request with some query parameters replaced (undefined removes one). */
export function requestUrlWith(req: Request, overrides: Record<string, string | number | undefined>): string {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export function toPageEnvelope<T>(req: Request, page: Page<T>, links: PageLinks = offsetPageLinks(page.count, page.window)): PageEnvelope<T> {
  return {
    count: page.count,
    next: links.next ? requestUrlWith(req, links.next) : null,
    previous: links.previous ? requestUrlWith(req, links.previous) : null,
    results: page.results,
  };
}
