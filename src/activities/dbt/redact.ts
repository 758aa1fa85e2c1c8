/** Shorter values are not credentials, and masking them (`dev`, `1`) would garble every line. */
const MIN_SECRET_LENGTH = 4;
export const REDACTED = '***';

/**
 * Masks the given values (those of the activity's `env` option, the variables it inherits by name, DBT_ENV_SECRET_*)
 * in text that leaves the worker (logs, heartbeats, failures): dbt may echo them, e.g. in a database error or a
 * model's `log()`.
 */
export function secretRedactor(values: Iterable<string>): (text: string) => string {
  // Longest first, so a value that contains another is masked whole.
  const secrets = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((masked, secret) => masked.split(secret).join(REDACTED), text);
}
