/** One page of a list, as GitLab's API pages them: numbered from 1. */
export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

/** The items of one page and how many there are in all pages. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** Prisma's `skip`/`take` (SQL `OFFSET`/`LIMIT`) for a page. */
export function pageWindow({ page, perPage }: PageRequest): { skip: number; take: number } {
  return { skip: (page - 1) * perPage, take: perPage };
}
