import { Resource } from '@adminjs/typeorm';
import { BaseRecord, type Filter, type FilterElement } from 'adminjs';
import { Between, ILike, In, LessThanOrEqual, MoreThanOrEqual, type BaseEntity, type FindOperator } from 'typeorm';

/** Resolves a filter on a property that is not a column (a thread's participant) to the ids of the matching rows. */
export type VirtualFilter = (value: string) => Promise<number[]>;

type Where = Record<string, unknown>;

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The AdminJS TypeORM resource with what Parley's admin needs on top, for reading: case-insensitive text filters
 * (the adapter's LIKE is case-sensitive), filters on virtual properties, and computed columns added to records
 * (`decorate`). Writes never go through here: each write action calls a domain service instead.
 */
export class ParleyResource extends Resource {
  constructor(
    protected readonly entity: typeof BaseEntity,
    private readonly extras: { virtualFilters?: Record<string, VirtualFilter>; decorate?: (records: BaseRecord[]) => Promise<void> } = {},
  ) {
    super(entity);
  }

  override async count(filter: Filter): Promise<number> {
    const where = await this.where(filter);
    return where ? this.entity.count({ where }) : 0;
  }

  override async find(
    filter: Filter,
    params: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
  ): Promise<BaseRecord[]> {
    const where = await this.where(filter);
    if (!where) return [];
    const { sort = {} } = params;
    // Paging comes from the query string: nonsense (perPage=abc, page=-1) becomes the first page, not a failed query.
    const limit = Math.min(Math.max(Math.trunc(Number(params.limit)) || 10, 1), 500);
    const offset = Math.max(Math.trunc(Number(params.offset)) || 0, 0);
    // Sorting by a computed column is not possible in SQL: fall back to the id.
    const sortBy = sort.sortBy && this.property(sort.sortBy) ? sort.sortBy : this.idName();
    const rows = await this.entity.find({ where, take: limit, skip: offset, order: { [sortBy]: (sort.direction ?? 'asc').toUpperCase() } });
    return this.decorated(rows.map((row) => new BaseRecord(row, this)));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const record = await super.findOne(id);
    return record ? (await this.decorated([record]))[0] : null;
  }

  override async findMany(ids: (string | number)[]): Promise<BaseRecord[]> {
    return this.decorated(await super.findMany(ids));
  }

  protected async decorated(records: BaseRecord[]): Promise<BaseRecord[]> {
    if (records.length > 0) await this.extras.decorate?.(records);
    return records;
  }

  /** TypeORM conditions for AdminJS's filter, or null when a virtual filter matches nothing. */
  private async where(filter: Filter | undefined): Promise<Where | null> {
    const where: Where = {};
    let ids: number[] | undefined;
    for (const [path, element] of Object.entries(filter?.filters ?? {})) {
      const virtual = this.extras.virtualFilters?.[path];
      if (virtual) {
        if (typeof element.value !== 'string') continue;
        const matching = await virtual(element.value);
        ids = ids ? ids.filter((id) => matching.includes(id)) : matching;
        continue;
      }
      const condition = this.condition(element);
      if (condition !== undefined) where[path.split('.')[0]] = condition;
    }
    if (ids) {
      if (ids.length === 0) return null;
      where[this.idName()] = In(ids);
    }
    return where;
  }

  private condition(element: FilterElement): FindOperator<unknown> | string | number | boolean | undefined {
    const { value } = element;
    const property = this.property(element.path);
    if (!property) return undefined;
    const type = property.type();
    if (typeof value !== 'string') {
      const from = value.from ? new Date(value.from) : undefined;
      const to = value.to ? new Date(value.to) : undefined;
      if (from && to) return Between(from, to);
      if (from) return MoreThanOrEqual(from);
      return to ? LessThanOrEqual(to) : undefined;
    }
    switch (type) {
      case 'string':
        return ILike(containsPattern(value));
      case 'boolean':
        return value === 'true';
      case 'number':
      case 'reference':
        // Ids and counts are integers; anything else matches nothing rather than failing in SQL.
        return /^\d{1,9}$/.test(value) ? Number(value) : -1;
      default:
        return value;
    }
  }
}
