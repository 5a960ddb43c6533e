import type { Page, PageRequest } from "@token-broker/admin";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";

/** GitLab's limit: a larger `per_page` is taken as this one, not refused. */
const MAX_PER_PAGE = 100;

/** GitLab's pagination parameters, for a list route's querystring schema. */
export const PaginationQuery = {
  page: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, default: 1, description: "from 1" }),
  per_page: Type.Integer({
    minimum: 1,
    default: 20,
    description: `items per page, at most ${MAX_PER_PAGE} (more is taken as ${MAX_PER_PAGE})`,
  }),
};

export function pageRequest(query: { page: number; per_page: number }): PageRequest {
  return { page: query.page, perPage: Math.min(query.per_page, MAX_PER_PAGE) };
}

/**
 * GitLab's pagination headers for one page of a list: `X-Page`, `X-Per-Page`, `X-Total`,
 * `X-Total-Pages`, `X-Next-Page`, `X-Prev-Page` (empty when there is none) and `Link`, whose
 * URLs are the instance's external URL, the request's path and its other parameters.
 */
export function setPaginationHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  { page, perPage }: PageRequest,
  { total }: Page<unknown>,
): void {
  // Kaminari's rules, as GitLab answers: at least one page; no neighbours out of range.
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const inRange = page <= totalPages;
  const next = inRange && page < totalPages ? page + 1 : undefined;
  const prev = inRange && page > 1 ? page - 1 : undefined;

  const [rawPath = "/", rawQuery = ""] = request.url.split("?", 2);
  // Repeated slashes are routed as one; `//host`-like paths must not become another origin.
  const path = rawPath.replace(/\/{2,}/g, "/");
  const pageUrl = (number: number) => {
    const url = new URL(path, request.server.config.externalUrl);
    const params = new URLSearchParams(rawQuery);
    params.set("per_page", String(perPage));
    params.set("page", String(number));
    url.search = params.toString();
    return url.toString();
  };
  const links = [
    prev === undefined ? undefined : `<${pageUrl(prev)}>; rel="prev"`,
    next === undefined ? undefined : `<${pageUrl(next)}>; rel="next"`,
    `<${pageUrl(1)}>; rel="first"`,
    `<${pageUrl(totalPages)}>; rel="last"`,
  ];

  reply.headers({
    "x-page": String(page),
    "x-per-page": String(perPage),
    "x-total": String(total),
    "x-total-pages": String(totalPages),
    "x-next-page": next === undefined ? "" : String(next),
    "x-prev-page": prev === undefined ? "" : String(prev),
    link: links.filter((link) => link !== undefined).join(", "),
  });
}
