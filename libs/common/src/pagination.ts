import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { InOrder, QueryInt } from './validation.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export class PageQueryDto {
  @ApiPropertyOptional({ description: `Page size, default ${DEFAULT_PAGE_SIZE}; values above ${MAX_PAGE_SIZE} are clamped.`, example: 50, minimum: 1 })
  @IsOptional()
  @QueryInt()
  @InOrder(IsInt({ message: 'limit must be a whole number' }), Min(1, { message: 'limit must be at least 1' }))
  limit?: number;

  @ApiPropertyOptional({ description: 'Number of items to skip.', example: 0, minimum: 0 })
  @IsOptional()
  @QueryInt()
  @InOrder(IsInt({ message: 'offset must be a whole number' }), Min(0, { message: 'offset must not be negative' }))
  offset?: number;
}

export interface PageWindow {
  readonly limit: number;
  readonly offset: number;
}

/** Applies the default page size and clamps oversized requests instead of refusing them. */
export function resolvePageWindow(query: { limit?: number; offset?: number }): PageWindow {
  return {
    limit: Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    offset: query.offset ?? 0,
  };
}

/** A page of results as services return it; transports turn it into their envelope. */
export interface Page<T> {
  readonly count: number;
  readonly results: T[];
  readonly window: PageWindow;
}

/**
 * A JSON array of T as text, serialized where it was built (PostgreSQL, for the hot lists) and sent as it is.
 * `parse()` is for callers in this process that want the objects.
 */
export class JsonArrayText<T> {
  declare private readonly elements: T[];
  constructor(readonly text: string) {}

  parse(): T[] {
    return JSON.parse(this.text) as T[];
  }
}

/** A page whose results are already JSON text. */
export interface SerializedPage<T> {
  readonly count: number;
  readonly results: JsonArrayText<T>;
  readonly window: PageWindow;
}

/** Query overrides describing the neighbouring pages; `null` means there is none. */
export interface PageLinks {
  readonly next: Record<string, string | number | undefined> | null;
  readonly previous: Record<string, string | number | undefined> | null;
}

/** Offset-based neighbours, as LimitOffset pagination has them. */
export function offsetPageLinks(count: number, window: PageWindow): PageLinks {
  const { limit, offset } = window;
  return {
    next: offset + limit < count ? { limit, offset: offset + limit } : null,
    previous: offset > 0 ? { limit, offset: Math.max(0, offset - limit) } : null,
  };
}
