// tests/browser/unsubscribe.mjs URL - the unsubscribe page in a real
// browser: Debian's chromium, headless, driven by playwright-core. Opens
// URL (a /u/TOKEN page of a running 'turnout serve'), checks what it
// shows, clicks the button and waits for the confirmation. Every request
// is watched: any that leaves for another origin fails the test (and is
// aborted). Prints one JSON line with what it saw; exits 1 on a failure.
import { chromium } from 'playwright-core';

const url = process.argv[2];
if (!url) {
	console.error('usage: unsubscribe.mjs URL');
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
	const ctx = await browser.newContext();
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
	const asked = (await page.textContent('main')).replace(/\s+/g, ' ').trim();
	await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
	await page.waitForSelector('#done');
	const done = (await page.textContent('#done')).trim();
	console.log(JSON.stringify({
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		asked, done, requests: seen.length, external,
	}));
	if (external.length)
		failed = 'requests left for another origin: ' + external.join(' ');
} catch (e) {
	failed = String(e);
} finally {
	await browser.close();
}
if (failed) {
	console.error('unsubscribe.mjs: ' + failed);
	process.exit(1);
}
