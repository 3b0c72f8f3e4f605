/**
 * A list followed by the next page's items it does not hold yet: pages by cursor can overlap when rows
 * arrive or move between two requests, and a row must never show twice.
 */
export function appendUnseen<T extends { id: string | number }>(items: T[], page: T[]): T[] {
  const seen = new Set(items.map((item) => item.id));
  return [...items, ...page.filter((item) => !seen.has(item.id))];
}
