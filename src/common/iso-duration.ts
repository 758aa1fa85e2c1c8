const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Airbyte reports job durations as ISO-8601 (`PT8H6M12S`); undefined when absent or unreadable. */
export function isoDurationToMs(value: string | undefined): number | undefined {
  const match = value ? ISO_DURATION.exec(value) : null;
  if (!match) return undefined;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}
