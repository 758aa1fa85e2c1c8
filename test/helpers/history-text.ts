/**
 * Every string in a fetched history, payload bytes decoded as text, so a search sees what the UI would show
 * (JSON.stringify would give base64 and hide a secret from the search).
 */
export function historyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(historyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(historyText).join('\n');
  return '';
}
