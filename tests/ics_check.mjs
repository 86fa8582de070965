// ics_check.mjs - reads an .ics file with ical.js (npm) and prints what a
// calendar would show, one "key=value" line each, in the same format as
// tests/ics_check.py. Run it from the top directory (node_modules). Times
// are resolved through the file's own VTIMEZONE (a value without TZID must
// be UTC, printed as tzid=-); a time left floating
// (which ical.js would read in the process's TZ) is an error. Any
// problem: a message on stderr and exit 1.
//
// Each ATTENDEE (an iTIP REQUEST or CANCEL) is printed with its CN, ROLE,
// PARTSTAT and RSVP. The file must hold exactly one VEVENT; with --feed (ics --all) it may
// hold any number, each printed after a "--" line, following "vevents=N",
// and each zone must have exactly one VTIMEZONE, used by some event.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function fail(msg) {
	process.stderr.write(`ics_check.mjs: ${msg}\n`);
	process.exit(1);
}

const args = process.argv.slice(2);
const feed = args.includes('--feed');
const files = args.filter((a) => a !== '--feed');
if (files.length !== 1)
	fail('usage: node ics_check.mjs [--feed] FILE.ics');
let cal;
try {
	cal = new ICAL.Component(ICAL.parse(readFileSync(files[0], 'utf8')));
} catch (e) {
	fail(`parse error: ${e.message}`);
}
const events = cal.getAllSubcomponents('vevent');
if (!feed && events.length !== 1)
	fail(`${events.length} VEVENTs, want 1`);
const zones = new Set();
for (const z of cal.getAllSubcomponents('vtimezone')) {
	const tzid = z.getFirstPropertyValue('tzid');
	if (zones.has(tzid))
		fail(`two VTIMEZONEs for ${tzid}`);
	zones.add(tzid);
}

function text(ev, name) {
	const v = ev.getFirstPropertyValue(name);
	return v === null || v === undefined ? '-' : JSON.stringify(String(v));
}

function instant(ev, name) {
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

function eventLines(ev) {
	const out = [];
	out.push(`uid=${ev.getFirstPropertyValue('uid')}`);
	out.push(`sequence=${ev.getFirstPropertyValue('sequence')}`);
	out.push(`status=${ev.getFirstPropertyValue('status')}`);
	for (const name of ['summary', 'description', 'location', 'url'])
		out.push(`${name}=${text(ev, name)}`);
	const org = ev.getFirstProperty('organizer');
	out.push(org ? `organizer=${org.getFirstValue()} cn=${org.getParameter('cn') ?? '-'}`
		: 'organizer=-');
	for (const att of ev.getAllProperties('attendee')) {
		const param = (name) => att.getParameter(name) ?? '-';
		out.push(`attendee=${att.getFirstValue()} cn=${param('cn')} role=${param('role')} ` +
			`partstat=${param('partstat')} rsvp=${param('rsvp')}`);
	}
	out.push(instant(ev, 'dtstart'));
	out.push(instant(ev, 'dtend'));
	return out;
}

let out = [];
out.push(`method=${cal.getFirstPropertyValue('method')}`);
out.push(`prodid=${cal.getFirstPropertyValue('prodid')}`);
out.push(`version=${cal.getFirstPropertyValue('version')}`);
if (!feed) {
	out = out.concat(eventLines(events[0]));
} else {
	out.push(`vevents=${events.length}`);
	const used = new Set();
	for (const ev of events) {
		out.push('--');
		out = out.concat(eventLines(ev));
		for (const name of ['dtstart', 'dtend'])
			used.add(ev.getFirstProperty(name).getParameter('tzid'));
	}
	for (const tzid of zones)
		if (!used.has(tzid))
			fail(`VTIMEZONE ${tzid} is used by no event`);
}
console.log(out.join('\n'));
