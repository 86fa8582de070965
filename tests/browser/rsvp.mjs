// tests/browser/rsvp.mjs URL - the RSVP page in a real browser: Debian's
// chromium, headless, driven by playwright-core. Opens URL (a
// /rsvp/TOKEN page of a running 'turnout serve'), reads what it shows,
// clicks Yes and waits for the answer on the page that comes back. Every
// request is watched: any that leaves for another origin fails the test
// (and is aborted). Prints one JSON line with what it saw; exits 1 on a
// failure.
import { guarded, text as textOf } from './guarded.mjs';

const url = process.argv[2];
if (!url) {
	console.error('usage: rsvp.mjs URL');
	process.exit(2);
}
await guarded('rsvp.mjs', url, { viewport: { width: 390, height: 844 } }, async (page, seen) => {
	const first = await page.goto(url);
	const text = (sel) => textOf(page, sel);
	const title = await text('h1');
	const when = await text('.when');
	const before = await text('#answer');
	const buttons = await page.getByRole('button').allTextContents();
	// the page must fit the phone's width: nothing to scroll sideways
	const overflow = await page.evaluate(() =>
		document.documentElement.scrollWidth > window.innerWidth);
	await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Yes' }).click()]);
	await page.waitForSelector('#saved');
	const after = await text('#answer');
	const pressed = await page.getAttribute('button[value=yes]', 'aria-pressed');
	return {
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		title, when, before, buttons, overflow, after, pressed,
		requests: seen,
	};
});
