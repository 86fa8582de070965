// ics_check.mjs - reads an .ics file with ical.js (npm) and prints what a
// calendar would show, one "key=value" line each, in the same format as
// tests/ics_check.py. Run it from the top directory (node_modules). Times
// are resolved through the file's own VTIMEZONE (a value without TZID must
// be UTC, printed as tzid=-); a time left floating
// (which ical.js would read in the process's TZ) is an error. Any
// problem: a message on stderr and exit 1.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function fail(msg) {
	process.stderr.write(`ics_check.mjs: ${msg}\n`);
	process.exit(1);
}

if (process.argv.length !== 3)
	fail('usage: node ics_check.mjs FILE.ics');
let cal;
try {
	cal = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], 'utf8')));
} catch (e) {
	fail(`parse error: ${e.message}`);
}
const events = cal.getAllSubcomponents('vevent');
if (events.length !== 1)
	fail(`${events.length} VEVENTs, want 1`);
const ev = events[0];
const zones = new Set(cal.getAllSubcomponents('vtimezone')
	.map((z) => z.getFirstPropertyValue('tzid')));

function text(name) {
	const v = ev.getFirstPropertyValue(name);
	return v === null || v === undefined ? '-' : JSON.stringify(String(v));
}

function instant(name) {
	const prop = ev.getFirstProperty(name);
	if (!prop)
		fail(`no ${name}`);
	const tzid = prop.getParameter('tzid');
	const t = prop.getFirstValue();
	if (!tzid) {
		// only a UTC value may go without TZID (never a floating one)
		if (!t.zone || t.zone.tzid !== 'UTC')
			fail(`${name}: floating time`);
		return `${name}=${new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', 'Z')} tzid=-`;
	}
	if (!zones.has(tzid))
		fail(`${name}: TZID ${tzid} has no VTIMEZONE`);
	if (!t.zone || t.zone.tzid === 'floating')
		fail(`${name}: floating time (zone not resolved)`);
	const iso = new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', 'Z');
	return `${name}=${iso} tzid=${tzid}`;
}

const out = [];
out.push(`method=${cal.getFirstPropertyValue('method')}`);
out.push(`prodid=${cal.getFirstPropertyValue('prodid')}`);
out.push(`version=${cal.getFirstPropertyValue('version')}`);
out.push(`uid=${ev.getFirstPropertyValue('uid')}`);
out.push(`sequence=${ev.getFirstPropertyValue('sequence')}`);
out.push(`status=${ev.getFirstPropertyValue('status')}`);
for (const name of ['summary', 'description', 'location', 'url'])
	out.push(`${name}=${text(name)}`);
const org = ev.getFirstProperty('organizer');
out.push(org ? `organizer=${org.getFirstValue()} cn=${org.getParameter('cn') ?? '-'}`
	: 'organizer=-');
out.push(instant('dtstart'));
out.push(instant('dtend'));
console.log(out.join('\n'));
