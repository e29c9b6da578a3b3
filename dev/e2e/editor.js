'use strict';
/**
 * n8n's editor in Debian's Chromium, driven by playwright-core (whose actions wait for their element
 * themselves): the page and the few moves the part 3 checks (editor.test.js) make. Screenshots go to
 * dev/e2e/screenshots/ (git-ignored), taken with animations finished, so a drop-down shows fully open.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');
const assert = require('node:assert/strict');
const rt = require('../n8n/runtime');

const SCREENSHOTS = path.join(__dirname, 'screenshots');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const APT_HINT = 'apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core';
const SEARCH = '[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]';
const PICKER_ITEM = '[data-test-id="node-creator-node-item"], [data-test-id="node-creator-item-name"]';
const OPTION = '.el-select-dropdown__item:visible';

const firstLines = (texts) => texts.map((t) => t.split('\n')[0].trim());

/** Chromium on a fresh profile, its page at `url`'s editor; `close()` gives up after 15 s. */
async function openEditor(url, profileDir) {
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	const executablePath = process.env.CHROMIUM_PATH || spawnSync('which', ['chromium', 'chromium-browser'], { encoding: 'utf8' }).stdout.split('\n')[0];
	assert.ok(executablePath, `Chromium not found. Install it: ${APT_HINT}`);
	const { chromium } = require('playwright-core');
	const context = await chromium.launchPersistentContext(profileDir, { executablePath, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1440, height: 900 }, timeout: 60000 });
	// The first load after a fresh start compiles and caches a lot: wait generously.
	context.setDefaultTimeout(60000);
	const page = context.pages()[0] || (await context.newPage());
	page.on('pageerror', (err) => rt.log(`browser page error: ${String(err.message).slice(0, 200)}`));

	const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, name), animations: 'disabled' });
	const ndv = page.locator('[data-test-id="ndv"]');
	const canvasNode = (name) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	/** Waits until no drop-down is open any more (a fading one would lend its options to the next select). */
	const optionsClosed = () => page.locator(OPTION).first().waitFor({ state: 'hidden', timeout: 10000 }).catch(() => {});

	/** Waits for `locator`; on failure saves `failureShot` and says what the page shows. */
	async function found(locator, what, failureShot) {
		try {
			await locator.waitFor();
		} catch (error) {
			await shot(failureShot);
			const shows = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 1200);
			throw new Error(`no ${what} (${error.message.split('\n')[0]}); the page shows: ${shows}`);
		}
		return locator;
	}

	/** Clicks a select open; returns its visible options and their texts. */
	async function openOptions(select) {
		await select.click();
		const items = page.locator(OPTION);
		await items.first().waitFor();
		return { items, texts: await items.evaluateAll((els) => els.map((e) => e.innerText.trim())) };
	}

	return {
		page,
		ndv,
		shot,
		found,
		openOptions,
		close: () => Promise.race([context.close(), sleep(15000, null, { ref: false })]),
		canvasNode,
		/** The mark of a successful run on a canvas node. */
		succeeded: (node) => node.locator('[data-test-id="canvas-node-status-success"]'),
		param: (name) => ndv.locator(`[data-test-id="parameter-input-${name}"]`),
		nodeNames: (selector) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name'))),

		/** Opens a page of the editor, accepting the "leave without saving?" dialog of the one before. */
		async open(route) {
			page.once('dialog', (dialog) => dialog.accept().catch(() => {}));
			await page.goto(`${url}${route}`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		},

		/** Opens workflow `id`, once its canvas shows the node `last` clicks "Execute workflow"; returns that node. */
		async executeWorkflow(id, last) {
			await this.open(`/workflow/${id}`);
			const node = canvasNode(last);
			await node.waitFor({ timeout: 180000 });
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			return node;
		},

		/** The output panel once it shows data, after opening the canvas node `node` if given. */
		async output(node) {
			if (node) await node.dblclick();
			const output = page.locator('[data-test-id="output-panel"]');
			await output.locator('[data-test-id="ndv-data-container"]').waitFor();
			return output;
		},

		/** Options of a select, by the first line of their text; the drop-down is closed again. */
		async optionsOf(select, shotName) {
			const { texts } = await openOptions(select);
			if (shotName) await shot(shotName);
			await page.keyboard.press('Escape');
			await optionsClosed();
			return firstLines(texts);
		},

		/** Picks an option by the first line of its text. */
		async choose(select, label) {
			const { items, texts } = await openOptions(select);
			const index = firstLines(texts).indexOf(label);
			assert.ok(index >= 0, `option "${label}" not in ${JSON.stringify(texts)}`);
			await items.nth(index).click();
			await optionsClosed();
		},

		/** The icon in `root`: the <img> `img` (file: icons are served as images) once loaded, else an inline <svg> if `svg`. */
		icon: (root, img, svg) =>
			root.evaluate(async (el, [img, svg]) => {
				const image = el.querySelector(img);
				if (image && !image.complete) await new Promise((done) => ((image.onload = image.onerror = done), setTimeout(done, 15000)));
				if (image) return { kind: 'img', ok: image.naturalWidth > 0, src: image.getAttribute('src'), width: image.naturalWidth };
				const box = svg && el.querySelector('svg')?.getBoundingClientRect();
				return { kind: box ? 'svg' : 'none', ok: Boolean(box && box.width > 0 && box.height > 0) };
			}, [img, svg]),

		/** Opens the node picker of a new workflow's first step and searches `text`. */
		async searchFirstStep(text) {
			await this.open('/workflow/new');
			await page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first().click({ timeout: 120000 });
			await page.locator(SEARCH).first().fill(text);
		},

		/** In the open node picker: searches "MailPartner" and returns the package's entry. */
		async searchMailPartner(failureShot) {
			await page.locator(SEARCH).first().fill('MailPartner');
			// The entry's name (n8n 2.41 gives the entry itself no test id in this view).
			return found(page.locator(PICKER_ITEM).filter({ hasText: /^\s*MailPartner\s*$/ }).first(), 'MailPartner entry in the picker', failureShot);
		},

		/** In the package's page of the picker: clicks the action of that name and waits for its panel. */
		async addAction(entry, action) {
			await entry.click();
			const item = page.locator('[data-test-id="node-creator-action-item"], [data-test-id="node-creator-item-name"]').filter({ hasText: new RegExp(`^\\s*${action}\\s*$`) });
			await (await found(item.first(), `action "${action}"`, 'failed-action-list.png')).click();
			await ndv.waitFor();
		},
	};
}

module.exports = { openEditor, PICKER_ITEM };
