import type { Result } from './errors.js';

/** The list envelope of every paginated route, in camelCase. */
export interface Page<T> {
  data: T[];
  totalCount: number;
  page: number;
  pageSize: number;
}

/** Page size `listAll` asks for when the caller gives none: fewer round trips than the default 10. */
export const LIST_ALL_PAGE_SIZE = 100;

/**
 * Every item of every page, from `firstPage` to the last, fetched one page at a time as the
 * loop asks for more. An item seen on an earlier page (items created meanwhile shift the
 * pages) is not yielded twice. A failed page throws its `KeymintError`.
 */
export async function* paginate<T extends { id: string }>(
  fetchPage: (page: number) => Promise<Result<Page<T>>>,
  firstPage = 1,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  for (let page = firstPage; ; page++) {
    const result = await fetchPage(page);
    if (!result.ok) throw result.error;
    for (const item of result.value.data) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      yield item;
    }
    const { data, pageSize, totalCount } = result.value;
    if (data.length === 0 || data.length < pageSize || page * pageSize >= totalCount) return;
  }
}
