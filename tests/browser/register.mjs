// tests/browser/register.mjs URL NAME EMAIL - the public registration
// page in a real browser: Debian's chromium, headless, driven by
// playwright-core. Opens URL (a /r/CODE page of a running 'turnout
// serve'), fills in the form as a person would (typing, then the
// Register button) and waits for the confirmation. Every request is
// watched: any that leaves for another origin fails the test (and is
// aborted). Prints one JSON line with what it saw; exits 1 on a failure.
import { chromium } from 'playwright-core';

const [url, name, email] = process.argv.slice(2);
if (!email) {
	console.error('usage: register.mjs URL NAME EMAIL');
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
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('E-mail').fill(email);
	await Promise.all([page.waitForURL(url), page.getByRole('button', { name: 'Register' }).click()]);
	await page.waitForSelector('#done');
	const done = await text('#done');
	console.log(JSON.stringify({
		status: first.status(),
		csp: first.headers()['content-security-policy'] || '',
		title, done, requests: seen, external,
	}));
	if (external.length)
		failed = 'requests left for another origin: ' + external.join(' ');
} catch (e) {
	failed = String(e);
} finally {
	await browser.close();
}
if (failed) {
	console.error('register.mjs: ' + failed);
	process.exit(1);
}
