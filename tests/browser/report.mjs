// tests/browser/report.mjs FILE SLUG SHOT - an HTML report (report
// --format html -o FILE) in a real browser: Debian's chromium, headless,
// driven by playwright-core. Serves FILE alone as /report.html from a
// server of its own on 127.0.0.1 (a free port), opens it at a phone's
// width, and reports what it finds in the section of event SLUG: the
// bars of the share chart (their data-group, and whether each is drawn),
// the charts and whether each is labelled, the page's text, any dialog
// (a script that ran would open one), scripts and page errors, and the
// page's width against the window's. Saves a full-page screenshot to
// SHOT and prints the page to SHOT with .pdf for .png. Every request is
// watched (guarded.mjs): any that leaves for another origin fails it.
// Prints one JSON line; exits 1 on a failure.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { guarded } from './guarded.mjs';

const [file, slug, shot] = process.argv.slice(2);
if (!shot) {
	console.error('usage: report.mjs FILE SLUG SHOT');
	process.exit(2);
}
const page_bytes = readFileSync(file);
const server = http.createServer((req, res) => {
	if (req.url !== '/report.html') {
		res.writeHead(404).end();
		return;
	}
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page_bytes);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/report.html`;

try {
	await guarded('report.mjs', url, { viewport: { width: 390, height: 844 } }, async (page, seen) => {
		const dialogs = [], errors = [];
		page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
		page.on('pageerror', (e) => errors.push(String(e)));
		page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
		const first = await page.goto(url, { waitUntil: 'load' });
		const found = await page.evaluate((slug) => {
			const sec = [...document.querySelectorAll('section.event')]
				.find((s) => s.dataset.slug === slug);
			const charts = [...sec.querySelectorAll('svg.chart')];
			return {
				heading: sec.querySelector('h2').textContent,
				bars: [...sec.querySelectorAll('rect.bar')].map((b) => b.dataset.group),
				people: [...sec.querySelectorAll('details.came td.person')].map((td) => td.textContent),
				drawn: [...sec.querySelectorAll('svg.shares')].map((s) => s.getBoundingClientRect().height > 50),
				svgs: charts.length,
				unlabelled: charts.filter((s) => !s.querySelector('title') || !s.querySelector('desc')).length,
				scripts: document.scripts.length,
				text: document.body.innerText,
				scrollWidth: document.documentElement.scrollWidth,
				innerWidth: window.innerWidth,
			};
		}, slug);
		await page.screenshot({ path: shot, fullPage: true });
		const pdf = await page.pdf({ path: shot.replace(/\.png$/, '') + '.pdf' });
		return {
			status: first.status(), ...found, dialogs, errors,
			pdf: pdf.subarray(0, 4).toString(), requests: seen,
		};
	});
} finally {
	server.close();
}
