/**
 * Time-zone facts for phones: the UTC offsets, DST rules and POSIX TZ string of an IANA zone in
 * a given year, worked out from the runtime's tz database (ICU, through Intl). Pure: no I/O.
 *
 * How: Intl tells us the UTC offset at any instant (`timeZoneName: 'longOffset'` gives
 * "GMT-04:00"). We sample the year day by day, narrow each change of offset down to the minute,
 * and turn the two transitions of a DST year into POSIX-style "Mm.w.d/time" rules.
 *
 * Decisions:
 * - Standard time is the smaller of the year's two offsets and DST the larger. This matters for
 *   Europe/Dublin, which tzdata describes with "negative DST" (Irish Standard Time, UTC+1, in
 *   summer; GMT in winter as the "DST"), and whose TZif files end in "IST-1GMT0,M10.5.0,M3.5.0/1".
 *   We give "GMT0IST,M3.5.0/1,M10.5.0" instead, as tzdata's rearguard format and older glibc did:
 *   it implies the same offset at every instant, and phones, many of which assume DST is an hour
 *   ahead of standard time, cope with it.
 * - Abbreviations come from Intl's short names in a few locales that know a letters-only name for
 *   their region (see NAME_LOCALES); a name that is not 3-6 letters in any of them becomes the
 *   POSIX numeric form "<+0530>". Asia/Kolkata is therefore "<+0530>-5:30", not "IST-5:30": only
 *   the en-IN locale says IST, and IST is also Israel's and Ireland's abbreviation.
 * - The year's transitions are those whose instant falls in the UTC calendar year. A year with
 *   other than one DST start and one DST end (a zone that changed its rules, such as
 *   America/Sao_Paulo in 2019) is reported as having no DST, with the offset in force at the end
 *   of the year as standard time: that is what phones will need from then on.
 * - The rules reproduce the year's dates, not necessarily the zone's rule for other years (e.g.
 *   Israel's "Friday before the last Sunday" comes out as whichever Friday it was that year).
 */

export interface DstRule {
  month: number; // 1-12
  week: number; // 1-5, 5 = the last such weekday of the month
  weekday: number; // 0 = Sunday
  /** Local wall-clock time of the transition, in the time in force before it. */
  hour: number;
  minute: number;
}

export interface ZoneFacts {
  zone: string; // as given
  standardOffsetMinutes: number; // e.g. -300 for New York, 330 for Kolkata, 345 for Kathmandu
  dst?: { offsetMinutes: number; start: DstRule; end: DstRule }; // start = when DST begins
  standardAbbr: string; // "EST", or the numeric form "<+0530>"
  dstAbbr?: string;
  posix: string; // "EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30", "UTC0"
}

// Locales asked for letters-only short names, in order. Between them they name North America
// (EST, AKST, NST, ...), Europe (GMT/BST, CET/CEST, WET, EET, Dublin's IST), Australia and New
// Zealand (AEST, LHST, NZST, ...) and Japan (JST); everywhere else ICU gives "GMT+8" and the like.
const NAME_LOCALES = ['en-US', 'en-CA', 'en-GB', 'en-IE', 'en-AU', 'en-NZ', 'ja-JP'];

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;

// A zone's facts for a year never change while the process runs (the tz database is the
// runtime's), and working them out takes some 100 Intl calls: each is worked out once.
const known = new Map<string, Readonly<ZoneFacts>>();

/** Throws a RangeError for a zone the runtime does not know. The result is shared: frozen. */
export function zoneFacts(zone: string, year: number): Readonly<ZoneFacts> {
  const key = `${zone}\n${year}`;
  let facts = known.get(key);
  if (facts === undefined) {
    facts = deepFreeze(workOut(zone, year));
    known.set(key, facts);
  }
  return facts;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}

function workOut(zone: string, year: number): ZoneFacts {
  if (!Number.isInteger(year)) throw new RangeError(`year must be an integer; got ${year}`);
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const transitions = findTransitions(zone, from, to);

  // A DST year has two transitions, there and back again; anything else counts as no DST.
  const [first, second] = transitions;
  if (transitions.length !== 2 || first === undefined || second === undefined || first.before !== second.after) {
    const last = to - MINUTE;
    const offset = offsetAt(zone, last);
    const standardAbbr = abbreviation(zone, last, offset);
    return { zone, standardOffsetMinutes: offset, standardAbbr, posix: `${standardAbbr}${posixOffset(offset)}` };
  }

  // The transition that raises the offset starts DST (in the southern hemisphere it is the
  // second of the year, in October; POSIX still lists start first).
  const [start, end] = first.after > first.before ? [first, second] : [second, first];
  const std = end.after;
  const dst = start.after;
  const standardAbbr = abbreviation(zone, end.at, std);
  const dstAbbr = abbreviation(zone, start.at, dst);
  const startRule = ruleFor(start);
  const endRule = ruleFor(end);
  // POSIX assumes DST is an hour ahead unless told otherwise (Lord Howe's is 30 minutes).
  const dstOffsetText = dst - std === 60 ? '' : posixOffset(dst);
  const posix =
    `${standardAbbr}${posixOffset(std)}${dstAbbr}${dstOffsetText}` +
    `,${posixRule(startRule)},${posixRule(endRule)}`;
  return {
    zone,
    standardOffsetMinutes: std,
    dst: { offsetMinutes: dst, start: startRule, end: endRule },
    standardAbbr,
    dstAbbr,
    posix,
  };
}

/**
 * `gmt` → "GMT-05:00" / "GMT+05:30" / "GMT+00:00"; `hours` → "-5" / "+5.5" / "+5.75" / "0";
 * `colon` → "-05:00" / "+05:30" / "+00:00".
 */
export function formatOffset(minutes: number, style: 'gmt' | 'hours' | 'colon'): string {
  if (!Number.isInteger(minutes)) throw new RangeError(`offset must be whole minutes; got ${minutes}`);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  if (style === 'hours') return minutes === 0 ? '0' : `${sign}${abs / 60}`;
  const colon = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return style === 'gmt' ? `GMT${colon}` : colon;
}

interface Transition {
  at: number; // first UTC instant (ms) of the new offset
  before: number; // offset in minutes until then
  after: number; // offset in minutes from then
}

/**
 * Changes of offset in [from, to): sampled weekly, each narrowed down to the minute. An offset
 * that lasted less than a week would be missed; none did in any zone of the runtime's tz database
 * from 1997 to 2035 (checked against daily sampling: identical facts, at a fifth of the cost).
 */
function findTransitions(zone: string, from: number, to: number): Transition[] {
  const found: Transition[] = [];
  let previous = offsetAt(zone, from);
  for (let start = from; start < to; start += WEEK) {
    const end = Math.min(start + WEEK, to) - MINUTE;
    const atEnd = offsetAt(zone, end);
    if (atEnd === previous) continue;
    // Offset is `previous` at lo and differs at hi: find the first minute that differs.
    let lo = start - MINUTE;
    let hi = end;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
      if (offsetAt(zone, mid) === previous) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before: previous, after: offsetAt(zone, hi) });
    previous = atEnd;
  }
  return found;
}

/** The transition as a rule on the local calendar, in the wall-clock time before it. */
function ruleFor(transition: Transition): DstRule {
  const local = new Date(transition.at + transition.before * MINUTE); // read with UTC getters
  const day = local.getUTCDate();
  const daysInMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  return {
    month: local.getUTCMonth() + 1,
    // "Last Sunday" rather than "4th Sunday" whenever it is the last one, as tzdata writes it.
    week: day + 7 > daysInMonth ? 5 : Math.ceil(day / 7),
    weekday: local.getUTCDay(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/** "M3.2.0", with "/h" or "/h:mm" unless the time is POSIX's default of 02:00. */
function posixRule(rule: DstRule): string {
  const date = `M${rule.month}.${rule.week}.${rule.weekday}`;
  if (rule.hour === 2 && rule.minute === 0) return date;
  return `${date}/${rule.hour}${rule.minute === 0 ? '' : `:${pad(rule.minute)}`}`;
}

/** POSIX counts hours west of Greenwich: -300 → "5", 330 → "-5:30", 0 → "0". */
function posixOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const sign = minutes > 0 ? '-' : '';
  return `${sign}${Math.floor(abs / 60)}${abs % 60 === 0 ? '' : `:${pad(abs % 60)}`}`;
}

/** The first letters-only short name any of NAME_LOCALES has, else "<+0530>" / "<-03>". */
function abbreviation(zone: string, at: number, offset: number): string {
  for (const locale of NAME_LOCALES) {
    const name = part(formatter(zone, locale, 'short'), at);
    if (/^[A-Za-z]{3,6}$/.test(name)) return name;
  }
  const abs = Math.abs(offset);
  const minutes = abs % 60 === 0 ? '' : pad(abs % 60);
  return `<${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${minutes}>`;
}

/** UTC offset in minutes at an instant, from Intl's "GMT-04:00" (or plain "GMT" for zero). */
function offsetAt(zone: string, at: number): number {
  const text = part(formatter(zone, 'en-US', 'longOffset'), at);
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(text);
  if (match === null) throw new Error(`unexpected offset "${text}" for ${zone}`);
  const [, sign, hours, minutes] = match;
  if (sign === undefined) return 0;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

function part(format: Intl.DateTimeFormat, at: number): string {
  return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

// Building a DateTimeFormat is far dearer than using one, and a year's scan uses one ~400 times.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, locale: string, timeZoneName: 'short' | 'longOffset'): Intl.DateTimeFormat {
  const key = `${zone}\n${locale}\n${timeZoneName}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName });
    formatters.set(key, format);
  }
  return format;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
