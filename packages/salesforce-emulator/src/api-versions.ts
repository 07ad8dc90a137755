/**
 * The API versions the emulator serves (50.0–62.0) and the versions list
 * `GET /services/data/` returns.
 */

/** Lowest and highest served major versions. */
export const MIN_VERSION = 50;
export const MAX_VERSION = 62;

const SEASONS = ['Winter', 'Spring', 'Summer'];

/** Whether `59.0`-style text is a served version. */
export function isServedVersion(version: string): boolean {
  const m = /^(\d+)\.0$/.exec(version);
  const major = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  return major >= MIN_VERSION && major <= MAX_VERSION;
}

/** `[{label:"Winter '24", url:"/services/data/v59.0", version:"59.0"}, …]` */
export function versionList(): Array<{ label: string; url: string; version: string }> {
  const out: Array<{ label: string; url: string; version: string }> = [];
  for (let major = MIN_VERSION; major <= MAX_VERSION; major++) {
    // v50 is Winter '21; three releases a year, Winter of a year counts as the next year.
    const offset = major - MIN_VERSION;
    const season = SEASONS[offset % 3] ?? 'Winter';
    const year = 21 + Math.floor(offset / 3);
    out.push({ label: `${season} '${year}`, url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return out;
}
