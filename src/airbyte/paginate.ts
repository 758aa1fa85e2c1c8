import { AirbyteApiError } from './errors';
import type { IterateOptions, Page, PageRequest } from './types';

/** The largest page Airbyte's public API serves. */
export const MAX_PAGE_SIZE = 100;
/** How many pages an iteration reads at most, unless told otherwise: 10,000 items at the largest page size. */
export const DEFAULT_MAX_PAGES = 100;

/** `limit` and `offset` as query parameters, leaving out what was not given. */
export function pageParams(page: PageRequest): Record<string, number> {
  const params: Record<string, number> = {};
  if (page.limit !== undefined) params.limit = page.limit;
  if (page.offset !== undefined) params.offset = page.offset;
  return params;
}

/** Only the filters that were given, so Airbyte's defaults apply to the rest. */
export function listParams(filter: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/**
 * Walks offset pages. Airbyte sends a `next` link even on a short last page, so the end is a page that is
 * empty or shorter than the limit, not a missing `next` (which is never followed: it could point anywhere).
 * A server that never ends (full pages for ever, an offset it ignores) stops at `maxPages`, with an error.
 * `keep` filters items client-side without changing where the listing ends.
 */
export async function* paginate<T>(
  endpoint: string,
  fetchPage: (page: PageRequest, signal: AbortSignal | undefined) => Promise<Page<T>>,
  { pageSize = MAX_PAGE_SIZE, max = Number.POSITIVE_INFINITY, maxPages = DEFAULT_MAX_PAGES, signal }: IterateOptions,
  keep: (item: T) => boolean = () => true,
): AsyncGenerator<T> {
  const limit = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  const pages = Number.isNaN(maxPages) ? DEFAULT_MAX_PAGES : Math.max(1, Math.floor(maxPages));
  let yielded = 0;
  for (let page = 0; ; page++) {
    signal?.throwIfAborted();
    if (page >= pages) {
      throw new AirbyteApiError({
        kind: 'invalid-response',
        endpoint,
        retryable: false,
        reason:
          `still more after ${pages} full pages of ${limit} (maxPages): stopped rather than return a partial list; ` +
          'pass a larger maxPages or a narrower filter if this many items are expected',
      });
    }
    const { data } = await fetchPage({ limit, offset: page * limit }, signal);
    for (const item of data) {
      if (yielded >= max) return;
      if (!keep(item)) continue;
      yield item;
      yielded++;
    }
    if (data.length < limit || yielded >= max) return;
  }
}

/** Every item of an iteration, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
