// listNames: a key list for an error message or note, cut after `limit` names with a count of the rest.
export function listNames(items: string[], limit = 12): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown}, … (${items.length - limit} more)` : shown;
}
