import t, { type Test } from 'tap';
import { formatOffset, zoneFacts, type DstRule, type ZoneFacts } from '../../../src/domain/zone.js';

const YEAR = 2024;
const MINUTE = 60_000;

// --- Independent helpers: Intl's offset by another route, and evaluators of our rules ------------

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** UTC offset in minutes, from the zone's wall clock rather than from Intl's "GMT-04:00". */
function intlOffset(zone: string, at: number): number {
  let format = wallClocks.get(zone);
  if (format === undefined) {
    const numeric = 'numeric' as const;
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: numeric,
      month: numeric,
      day: numeric,
      hour: numeric,
      minute: numeric,
    });
    wallClocks.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return (local - Math.floor(at / MINUTE) * MINUTE) / MINUTE;
}

/** The UTC instant a rule falls on in a year, given the offset in force before it. */
function ruleInstant(rule: DstRule, year: number, offsetBefore: number): number {
  const firstWeekday = new Date(Date.UTC(year, rule.month - 1, 1)).getUTCDay();
  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  let day = 1 + ((rule.weekday - firstWeekday + 7) % 7) + (rule.week - 1) * 7;
  while (day > daysInMonth) day -= 7; // week 5 = the last one
  return Date.UTC(year, rule.month - 1, day, rule.hour, rule.minute) - offsetBefore * MINUTE;
}

type Rules = Pick<ZoneFacts, 'standardOffsetMinutes' | 'dst'>;

function transitionsOf(rules: Rules, year: number): { start: number; end: number } | undefined {
  const { dst } = rules;
  if (dst === undefined) return undefined;
  return {
    start: ruleInstant(dst.start, year, rules.standardOffsetMinutes),
    end: ruleInstant(dst.end, year, dst.offsetMinutes),
  };
}

/** The offset our rules imply at an instant. */
function offsetByRules(rules: Rules, at: number): number {
  const year = new Date(at).getUTCFullYear();
  const span = transitionsOf(rules, year);
  if (span === undefined || rules.dst === undefined) return rules.standardOffsetMinutes;
  // Northern hemisphere: DST between start and end; southern: outside end..start.
  const inDst = span.start < span.end ? at >= span.start && at < span.end : at >= span.start || at < span.end;
  return inDst ? rules.dst.offsetMinutes : rules.standardOffsetMinutes;
}

/** A dozen instants spread over the year, plus the minutes either side of each transition. */
function samples(rules: Rules, year: number): number[] {
  const at = Array.from({ length: 12 }, (_, month) => Date.UTC(year, month, 15, 12));
  const span = transitionsOf(rules, year);
  if (span !== undefined) at.push(span.start - MINUTE, span.start, span.end - MINUTE, span.end);
  return at;
}

function checkAgainstIntl(t: Test, facts: ZoneFacts, year: number): void {
  for (const at of samples(facts, year)) {
    const when = new Date(at).toISOString();
    t.equal(offsetByRules(facts, at), intlOffset(facts.zone, at), `${facts.zone} at ${when}`);
  }
}

/** A small parser of the POSIX TZ strings we produce: "std offset [dst [offset] ,rule,rule]". */
function parsePosix(text: string): Rules & { standardAbbr: string; dstAbbr?: string } {
  const name = '(<[+-]\\d{2}(?:\\d{2})?>|[A-Za-z]{3,6})';
  const offset = '([+-]?\\d{1,2}(?::\\d{2})?)';
  const shape = new RegExp(`^${name}${offset}(?:${name}${offset}?,(M[^,]+),(M[^,]+))?$`);
  const match = shape.exec(text);
  if (match === null) throw new Error(`not a POSIX TZ string: ${text}`);
  const [, stdName = '', stdText = '', dstName, dstText, startText, endText] = match;
  const minutes = (value: string): number => {
    const [, sign, h, m] = /^([+-]?)(\d+)(?::(\d+))?$/.exec(value) ?? [];
    return (sign === '-' ? 1 : -1) * (Number(h) * 60 + Number(m ?? 0)); // POSIX: west is positive
  };
  const rule = (value: string): DstRule => {
    const [, month, week, weekday, hour, minute] = /^M(\d+)\.(\d)\.(\d)(?:\/(\d+)(?::(\d+))?)?$/.exec(value) ?? [];
    return {
      month: Number(month),
      week: Number(week),
      weekday: Number(weekday),
      hour: Number(hour ?? 2),
      minute: Number(minute ?? 0),
    };
  };
  const std = minutes(stdText);
  if (dstName === undefined || startText === undefined || endText === undefined) {
    return { standardOffsetMinutes: std, standardAbbr: stdName };
  }
  return {
    standardOffsetMinutes: std,
    standardAbbr: stdName,
    dstAbbr: dstName,
    dst: {
      offsetMinutes: dstText === undefined ? std + 60 : minutes(dstText),
      start: rule(startText),
      end: rule(endText),
    },
  };
}

function parsedFacts(facts: ZoneFacts): ReturnType<typeof parsePosix> {
  const { standardOffsetMinutes, dst, standardAbbr, dstAbbr } = facts;
  return dst === undefined
    ? { standardOffsetMinutes, standardAbbr }
    : { standardOffsetMinutes, standardAbbr, dstAbbr, dst };
}

// --- The zones phones meet, with the strings they must get ---------------------------------------

interface Expected {
  posix: string;
  std: number;
  dst?: number;
  abbr: [string, string?];
}

const EXPECTED: Record<string, Expected> = {
  'America/New_York': { posix: 'EST5EDT,M3.2.0,M11.1.0', std: -300, dst: -240, abbr: ['EST', 'EDT'] },
  'America/Los_Angeles': { posix: 'PST8PDT,M3.2.0,M11.1.0', std: -480, dst: -420, abbr: ['PST', 'PDT'] },
  'America/Chicago': { posix: 'CST6CDT,M3.2.0,M11.1.0', std: -360, dst: -300, abbr: ['CST', 'CDT'] },
  'America/Denver': { posix: 'MST7MDT,M3.2.0,M11.1.0', std: -420, dst: -360, abbr: ['MST', 'MDT'] },
  'America/Phoenix': { posix: 'MST7', std: -420, abbr: ['MST'] },
  'America/Anchorage': { posix: 'AKST9AKDT,M3.2.0,M11.1.0', std: -540, dst: -480, abbr: ['AKST', 'AKDT'] },
  'Pacific/Honolulu': { posix: 'HST10', std: -600, abbr: ['HST'] },
  'Europe/London': { posix: 'GMT0BST,M3.5.0/1,M10.5.0', std: 0, dst: 60, abbr: ['GMT', 'BST'] },
  'Europe/Berlin': { posix: 'CET-1CEST,M3.5.0,M10.5.0/3', std: 60, dst: 120, abbr: ['CET', 'CEST'] },
  // Positive-DST form; tzdata's own footer is "IST-1GMT0,M10.5.0,M3.5.0/1" (see below).
  'Europe/Dublin': { posix: 'GMT0IST,M3.5.0/1,M10.5.0', std: 0, dst: 60, abbr: ['GMT', 'IST'] },
  // en-US calls it "GMT+5:30"; only en-IN says "IST", which is also Israel's and Ireland's.
  'Asia/Kolkata': { posix: '<+0530>-5:30', std: 330, abbr: ['<+0530>'] },
  'Asia/Kathmandu': { posix: '<+0545>-5:45', std: 345, abbr: ['<+0545>'] },
  'Asia/Tokyo': { posix: 'JST-9', std: 540, abbr: ['JST'] },
  'Australia/Sydney': { posix: 'AEST-10AEDT,M10.1.0,M4.1.0/3', std: 600, dst: 660, abbr: ['AEST', 'AEDT'] },
  // Half-hour DST, so the DST offset must be spelt out. tzdata: "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0".
  'Australia/Lord_Howe': { posix: 'LHST-10:30LHDT-11,M10.1.0,M4.1.0', std: 630, dst: 660, abbr: ['LHST', 'LHDT'] },
  'Pacific/Auckland': { posix: 'NZST-12NZDT,M9.5.0,M4.1.0/3', std: 720, dst: 780, abbr: ['NZST', 'NZDT'] },
  'America/Sao_Paulo': { posix: '<-03>3', std: -180, abbr: ['<-03>'] },
  'America/St_Johns': { posix: 'NST3:30NDT,M3.2.0,M11.1.0', std: -210, dst: -150, abbr: ['NST', 'NDT'] },
  UTC: { posix: 'UTC0', std: 0, abbr: ['UTC'] },
  'Etc/GMT+5': { posix: '<-05>5', std: -300, abbr: ['<-05>'] },
};

t.test('gives each zone its offsets, abbreviations and POSIX string', async (t) => {
  for (const [zone, expected] of Object.entries(EXPECTED)) {
    const facts = zoneFacts(zone, YEAR);
    t.equal(facts.zone, zone);
    t.equal(facts.posix, expected.posix, `${zone} posix`);
    t.equal(facts.standardOffsetMinutes, expected.std, `${zone} standard offset`);
    t.equal(facts.dst?.offsetMinutes, expected.dst, `${zone} DST offset`);
    t.equal(facts.standardAbbr, expected.abbr[0], `${zone} standard abbreviation`);
    t.equal(facts.dstAbbr, expected.abbr[1], `${zone} DST abbreviation`);
  }
});

t.test('rules are the local dates and wall-clock times of the transitions', async (t) => {
  const newYork = zoneFacts('America/New_York', YEAR).dst;
  t.same(newYork?.start, { month: 3, week: 2, weekday: 0, hour: 2, minute: 0 }); // 10 Mar 2024 02:00 EST
  t.same(newYork?.end, { month: 11, week: 1, weekday: 0, hour: 2, minute: 0 }); // 3 Nov 2024 02:00 EDT

  // Southern hemisphere: DST starts in October and ends in April, at 03:00 AEDT.
  const sydney = zoneFacts('Australia/Sydney', YEAR).dst;
  t.same(sydney?.start, { month: 10, week: 1, weekday: 0, hour: 2, minute: 0 });
  t.same(sydney?.end, { month: 4, week: 1, weekday: 0, hour: 3, minute: 0 });

  // 31 March 2024 is the fifth Sunday; 27 October the fourth, but the last, so week 5 too.
  const berlin = zoneFacts('Europe/Berlin', YEAR).dst;
  t.same(berlin?.start, { month: 3, week: 5, weekday: 0, hour: 2, minute: 0 });
  t.same(berlin?.end, { month: 10, week: 5, weekday: 0, hour: 3, minute: 0 });

  // Lord Howe falls back at 02:00 of its +11:00 DST, i.e. 01:30 standard time.
  const lordHowe = zoneFacts('Australia/Lord_Howe', YEAR).dst;
  t.same(lordHowe?.end, { month: 4, week: 1, weekday: 0, hour: 2, minute: 0 });

  // Minutes in a rule's time: Chatham changes at 02:45 standard and 03:45 DST.
  t.equal(zoneFacts('Pacific/Chatham', YEAR).posix, 'CHAST-12:45CHADT,M9.5.0/2:45,M4.1.0/3:45');
});

t.test('the rules give the offset Intl gives, all year, for every zone above', async (t) => {
  for (const zone of Object.keys(EXPECTED)) {
    for (const year of [YEAR, YEAR + 1]) checkAgainstIntl(t, zoneFacts(zone, year), year);
  }
});

t.test('the POSIX string says exactly what the facts say', async (t) => {
  for (const zone of Object.keys(EXPECTED)) {
    const facts = zoneFacts(zone, YEAR);
    t.same(parsePosix(facts.posix), parsedFacts(facts), zone);
  }
});

t.test('Europe/Dublin: positive DST, same clock as tzdata negative-DST string', async (t) => {
  const ours = parsePosix(zoneFacts('Europe/Dublin', YEAR).posix);
  const tzdata = parsePosix('IST-1GMT0,M10.5.0,M3.5.0/1');
  t.equal(tzdata.standardOffsetMinutes, 60);
  t.equal(tzdata.dst?.offsetMinutes, 0);
  for (const at of [...samples(ours, YEAR), ...samples(tzdata, YEAR)]) {
    const when = new Date(at).toISOString();
    t.equal(offsetByRules(ours, at), offsetByRules(tzdata, at), `same as tzdata at ${when}`);
    t.equal(offsetByRules(ours, at), intlOffset('Europe/Dublin', at), `same as Intl at ${when}`);
  }
  t.equal(offsetByRules(ours, Date.UTC(YEAR, 0, 15)), 0, 'GMT in winter');
  t.equal(offsetByRules(ours, Date.UTC(YEAR, 6, 15)), 60, 'UTC+1 in summer');
});

t.test('a year in which the rules changed counts as having no DST', async (t) => {
  // Brazil dropped DST in 2019: it ended in February and never started again.
  const lastChange = zoneFacts('America/Sao_Paulo', 2019);
  t.equal(lastChange.dst, undefined);
  t.equal(lastChange.dstAbbr, undefined);
  t.equal(lastChange.standardOffsetMinutes, -180, 'the offset in force at the end of the year');
  t.equal(lastChange.posix, '<-03>3');

  // The year before it still had both ends of DST (southern: ends February, starts November).
  const before = zoneFacts('America/Sao_Paulo', 2018);
  t.equal(before.posix, '<-03>3<-02>,M11.1.0/0,M2.3.0/0');
  checkAgainstIntl(t, before, 2018);
});

t.test('every zone the runtime knows gets a sound answer', async (t) => {
  const name = '(<[+-]\\d{2}(\\d{2})?>|[A-Za-z]{3,6})';
  const offset = '-?\\d{1,2}(:\\d{2})?';
  const rule = ',M\\d{1,2}\\.[1-5]\\.[0-6](/([01]?\\d|2[0-3])(:\\d{2})?)?'; // hours 0-23 only: every parser knows those
  const posixShape = new RegExp(`^${name}${offset}(${name}(${offset})?(${rule}){2})?$`);
  const wrong: string[] = [];
  for (const zone of [...Intl.supportedValuesOf('timeZone'), 'UTC']) {
    const facts = zoneFacts(zone, YEAR);
    if (!posixShape.test(facts.posix)) wrong.push(`${zone}: ${facts.posix}`);
    if (facts.dst === undefined) {
      // No DST (or rules that changed): the offset is the one in force at the end of the year.
      const last = Date.UTC(YEAR + 1, 0, 1) - MINUTE;
      if (facts.standardOffsetMinutes !== intlOffset(zone, last)) wrong.push(`${zone}: offset`);
    } else {
      if (facts.dst.offsetMinutes <= facts.standardOffsetMinutes) wrong.push(`${zone}: DST not ahead`);
      for (const at of samples(facts, YEAR)) {
        if (offsetByRules(facts, at) !== intlOffset(zone, at)) wrong.push(`${zone}: at ${new Date(at).toISOString()}`);
      }
    }
  }
  t.same(wrong, []);
});

t.test('refuses what it cannot answer', async (t) => {
  t.throws(() => zoneFacts('Mars/Olympus_Mons', YEAR), RangeError);
  t.throws(() => zoneFacts('Europe/Berlin', 2024.5), RangeError);
  t.throws(() => formatOffset(1.5, 'gmt'), RangeError);
});

t.test('formatOffset in each style', async (t) => {
  const table: [number, string, string, string][] = [
    // minutes, gmt, hours, colon
    [-300, 'GMT-05:00', '-5', '-05:00'],
    [330, 'GMT+05:30', '+5.5', '+05:30'],
    [345, 'GMT+05:45', '+5.75', '+05:45'],
    [0, 'GMT+00:00', '0', '+00:00'],
    [-210, 'GMT-03:30', '-3.5', '-03:30'],
    [840, 'GMT+14:00', '+14', '+14:00'],
  ];
  for (const [minutes, gmt, hours, colon] of table) {
    t.equal(formatOffset(minutes, 'gmt'), gmt, `${minutes} gmt`);
    t.equal(formatOffset(minutes, 'hours'), hours, `${minutes} hours`);
    t.equal(formatOffset(minutes, 'colon'), colon, `${minutes} colon`);
  }
});
