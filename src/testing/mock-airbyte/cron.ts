import { BadInput } from './problems';

// Schedules of the public API, checked as AirbyteCatalogHelper.validateCronConfiguration does: a Quartz
// expression (seconds first), at most hourly (its seconds, and with a year field its minutes, must be numbers),
// a trailing "UTC" dropped. Airbyte stores the time zone apart and answers the expression with " UTC" appended.

const FIELD = /^[0-9A-Z*?/,#-]+$/i;

/** The expression as Airbyte stores it (without the "UTC"), or a BadInput. */
export function checkCron(expression: unknown): string {
  if (expression === undefined || expression === null) throw new BadInput('Missing cron expression in the schedule.');
  if (typeof expression !== 'string') throw new BadInput('schedule.cronExpression must be a string.');
  const normalized = expression.endsWith('UTC') ? expression.replaceAll('UTC', '').trim() : expression;
  const fields = normalized.trim().split(/\s+/);
  const invalid = (why: string) => new BadInput(`The cron expression ${expression} is not valid: ${why}.`);
  if (fields.length < 6 || fields.length > 7) throw invalid('a Quartz expression has 6 or 7 fields (seconds first)');
  if (!fields.every((field) => FIELD.test(field))) throw invalid('unexpected characters');
  if (fields[3] !== '?' && fields[5] !== '?') throw invalid('give a day-of-month or a day-of-week, with ? for the other');
  const number = (field: string | undefined) => /^\d+$/.test(field ?? '');
  if (!number(fields[0]) || (fields.length === 7 && !number(fields[1]))) {
    throw new BadInput(`The cron expression ${expression} is not valid or is less than the one hour minimum: seconds and minutes cannot be \`*\`.`);
  }
  return fields.join(' ');
}
