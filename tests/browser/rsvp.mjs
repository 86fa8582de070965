// tests/browser/rsvp.mjs URL - the RSVP page in a real browser: Debian's
// chromium, headless, driven by playwright-core. Opens URL (a
// /rsvp/TOKEN page of a running 'turnout serve'), reads what it shows,
// clicks Yes and waits for the answer on the page that comes back. Every
// request is watched: any that leaves for another origin fails the test
// (and is aborted). Prints one JSON line with what it saw; exits 1 on a
// failure.
import { chromium } from 'playwright-core';

const url = process.argv[2];
if (!url) {
	console.error('usage: rsvp.mjs URL');
	process.exit(2);
}
const origin = new URL(url).origin;
const seen = [], external = [];

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	// any other host name fails at once, should one slip past the route
	args: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
});
let failed = null;
try {
	// a phone-sized window: the page is made for one
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
	await ctx.route('**', (r) => {
		const u = r.request().url();
		if (new URL(u).origin === origin || u.startsWith('data:'))
			return r.continue();
		external.push(u);
		return r.abort();
	});
	await ctx.routeWebSocket((u) => true, (ws) => { external.push(ws.url()); ws.close(); });
	const page = await ctx.newPage();
	page.on('request', (r) => seen.push(r.method() + ' ' + new URL(r.url()).pathname));
	const first = await page.goto(url);
	const text = async (sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
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
	console.log(JSON.stringify({
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		title, when, before, buttons, overflow, after, pressed,
		requests: seen, external,
	}));
	if (external.length)
		failed = 'requests left for another origin: ' + external.join(' ');
} catch (e) {
	failed = String(e);
} finally {
	await browser.close();
}
if (failed) {
	console.error('rsvp.mjs: ' + failed);
	process.exit(1);
}
