import type { Request } from 'express';
import type { Page, PageLinks } from './pagination.js';
import { offsetPageLinks, type SerializedPage } from './pagination.js';

/** For handlers that answer JSON text (`@Header('Content-Type', JSON_CONTENT_TYPE)`). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

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

/** The neighbouring pages as absolute URLs of this request. */
function absoluteLinks(req: Request, links: PageLinks): { next: string | null; previous: string | null } {
  return {
    next: links.next ? requestUrlWith(req, links.next) : null,
    previous: links.previous ? requestUrlWith(req, links.previous) : null,
  };
}

export function toPageEnvelope<T>(req: Request, page: Page<T>, links: PageLinks = offsetPageLinks(page.count, page.window)): PageEnvelope<T> {
  return { count: page.count, ...absoluteLinks(req, links), results: page.results };
}

/**
 * The same envelope as JSON text around results PostgreSQL already serialized: the hot lists (history, threads)
 * are sent without being parsed, rebuilt as objects and stringified again in this process.
 */
export function serializePageEnvelope<T>(req: Request, page: SerializedPage<T>, links: PageLinks = offsetPageLinks(page.count, page.window)): string {
  const { next, previous } = absoluteLinks(req, links);
  return `{"count":${page.count},"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)},"results":${page.results.text}}`;
}
