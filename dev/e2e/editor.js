'use strict';
/**
 * Part 3 of the e2e run: n8n's editor in Debian's Chromium, driven by playwright-core.
 * Log in, open an example workflow, open the MailPartner node, check its selectors and icon,
 * execute the step and read the output table. Screenshots go to e2e/screenshots/ under stable
 * names (the folder is git-ignored).
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const assert = require('node:assert/strict');

const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const APT_HINT = 'apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core';

function findChromium() {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	for (const name of ['chromium', 'chromium-browser']) {
		try {
			return execFileSync('which', [name], { encoding: 'utf8' }).trim();
		} catch {
			/* not there */
		}
	}
	return null;
}

/** The visible options of the select that is open right now. */
async function openOptions(page, select) {
	await select.click();
	const items = page.locator('.el-select-dropdown__item:visible');
	await items.first().waitFor({ timeout: 15000 });
	await page.waitForTimeout(400); // let the drop-down finish fading in (screenshots)
	const texts = await items.evaluateAll((els) => els.map((e) => e.innerText.trim()));
	return { items, texts };
}

/** Pick an option by its (first line of) text in the select. */
async function choose(page, select, label) {
	const { items, texts } = await openOptions(page, select);
	const index = texts.findIndex((t) => t.split('\n')[0].trim() === label);
	assert.ok(index >= 0, `option "${label}" not in ${JSON.stringify(texts)}`);
	await items.nth(index).click();
	await page.waitForTimeout(300);
	return texts;
}

async function iconRenders(locator) {
	// An <img> (file: icons are served as images) that has loaded, or an inline <svg>.
	return locator.evaluate((root) => {
		const img = root.querySelector('img');
		if (img) return { kind: 'img', ok: img.complete && img.naturalWidth > 0, src: img.getAttribute('src'), width: img.naturalWidth };
		const svg = root.querySelector('svg');
		if (svg) {
			const box = svg.getBoundingClientRect();
			return { kind: 'svg', ok: box.width > 0 && box.height > 0, width: box.width };
		}
		return { kind: 'none', ok: false };
	});
}

/**
 * Registers the editor checks as separate tests with the runner's `it`, in order; the browser is
 * closed in `after`. `baseUrl()` and `profileDir()` are awaited when the tests run (the server
 * is started lazily). A test that needs an earlier step's state fails with a clear message if
 * that step failed.
 */
function registerEditorChecks({ it, after, baseUrl: getBaseUrl, owner, screenshotsDir, workflowId, profileDir, log, onlyDemoCredential }) {
	const shot = (page, name) => page.screenshot({ path: path.join(screenshotsDir, name), fullPage: false });
	let context = null;
	let page = null;
	let ndv = null;
	let baseUrl = null;
	const nodeName = 'Get credits';
	const test = (name, fn) => {
		it(name, fn);
	};

	after(async () => {
		if (context) await Promise.race([context.close(), new Promise((r) => setTimeout(r, 15000))]);
	});

	test('editor: Chromium starts (playwright-core)', async () => {
		fs.mkdirSync(screenshotsDir, { recursive: true });
		baseUrl = await getBaseUrl();
		const executablePath = findChromium();
		assert.ok(executablePath, `Chromium not found. Install it: ${APT_HINT}`);
		const { chromium } = require('playwright-core');
		context = await chromium.launchPersistentContext(await profileDir(), {
			executablePath,
			args: CHROMIUM_ARGS,
			headless: true,
			viewport: { width: 1440, height: 900 },
			timeout: 60000,
		});
		context.setDefaultTimeout(30000);
		page = context.pages()[0] || (await context.newPage());
		page.on('pageerror', (err) => log(`browser page error: ${String(err.message).slice(0, 200)}`));
	});

	test('editor: sign in as the preset owner', async () => {
		assert.ok(page, 'no browser');
		// The first load after a fresh start compiles and caches a lot: wait generously.
		await page.goto(`${baseUrl}/signin`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		await page.locator('[data-test-id="emailOrLdapLoginId"] input').waitFor({ timeout: 180000 });
		await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(owner.email);
		await page.locator('[data-test-id="password"] input').fill(owner.password);
		await shot(page, '01-signin.png');
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 60000 });
	});

	test('editor: the example workflow opens with the MailPartner node and its icon', async () => {
		assert.ok(page && !page.url().includes('/signin'), 'not signed in');
		await page.goto(`${baseUrl}/workflow/${workflowId}`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
		await node.waitFor({ timeout: 180000 });
		assert.equal(await node.getAttribute('data-node-type'), 'n8n-nodes-mailpartner.mailPartner');
		const names = await page.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
		assert.ok(names.length >= 4, `canvas shows ${JSON.stringify(names)}`);
		// Wait for the icon image to load before judging it.
		await page
			.waitForFunction(
				(sel) => {
					const img = document.querySelector(`${sel} img`);
					return !img || (img.complete && img.naturalWidth > 0);
				},
				`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`,
				{ timeout: 15000 },
			)
			.catch(() => {});
		const icon = await iconRenders(node);
		await shot(page, '02-workflow-canvas.png');
		assert.ok(icon.ok, `node icon on the canvas does not render: ${JSON.stringify(icon)}`);
		if (icon.kind === 'img') assert.match(icon.src, /mailpartner/i, 'the icon is the package’s own SVG');
	});

	test('editor: the MailPartner node panel opens with credential, resource and operation', async () => {
		assert.ok(page, 'no browser');
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
		ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ timeout: 30000 });
		await ndv.locator('[data-test-id="parameter-input-resource"]').waitFor({ timeout: 30000 });
		const credential = await ndv.locator('[data-test-id="node-credentials-select"] input').inputValue().catch(() => '');
		await shot(page, '03-node-panel.png');
		assert.equal(credential, 'MailPartner sandbox', 'the imported credential is selected');
		const headerIcon = await ndv.evaluate((root) => {
			const img = [...root.querySelectorAll('img')].find((i) => /mailpartner/i.test(i.getAttribute('src') || ''));
			return img ? { src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0, width: img.naturalWidth } : { ok: false, kind: 'none' };
		});
		assert.ok(headerIcon.ok, `node icon in the panel header does not render: ${JSON.stringify(headerIcon)}`);
	});

	test('editor: the resource and operation selectors offer the examples’ operations', async () => {
		assert.ok(ndv, 'the node panel is not open');
		const resourceSelect = ndv.locator('[data-test-id="parameter-input-resource"]');
		const operationSelect = ndv.locator('[data-test-id="parameter-input-operation"]');
		const { texts: resources } = await openOptions(page, resourceSelect);
		await shot(page, '04-resource-options.png');
		await page.keyboard.press('Escape');
		const resourceNames = resources.map((t) => t.split('\n')[0]);
		for (const r of ['Account', 'Message', 'Subaccount']) assert.ok(resourceNames.includes(r), `resource ${r} in ${JSON.stringify(resourceNames)}`);
		const operations = {};
		for (const resource of ['Account', 'Message', 'Subaccount']) {
			await choose(page, resourceSelect, resource);
			const { texts } = await openOptions(page, operationSelect);
			operations[resource] = texts.map((t) => t.split('\n')[0]);
			if (resource === 'Subaccount') await shot(page, '05-operation-options.png');
			await page.keyboard.press('Escape');
			await page.waitForTimeout(200);
		}
		// Back to what the workflow had (the panel edits the open workflow; it is never saved).
		await choose(page, resourceSelect, 'Account');
		await choose(page, operationSelect, 'Get Credits');
		// The operations the examples use must be offered; the node may offer more.
		assert.ok(operations.Account.includes('Get Credits'), JSON.stringify(operations));
		assert.ok(operations.Message.includes('Get Status'), JSON.stringify(operations));
		assert.ok(operations.Subaccount.includes('Create'), JSON.stringify(operations));
		assert.ok(operations.Subaccount.some((o) => o === 'List' || o === 'Get Many'), JSON.stringify(operations));
	});

	test('editor: Execute step shows the credits in the output table', async () => {
		assert.ok(ndv, 'the node panel is not open');
		await ndv.locator('[data-test-id="node-execute-button"]').first().click();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.locator('[data-test-id="ndv-data-container"]').waitFor({ timeout: 60000 });
		const tableButton = output.locator('[data-test-id="radio-button-table"]');
		if (await tableButton.count()) await tableButton.first().click();
		const table = output.locator('table').first();
		await table.waitFor({ timeout: 60000 });
		await page.waitForTimeout(500);
		const text = await table.innerText();
		await shot(page, '06-output-table.png');
		assert.match(text, /credits/i, `output table: ${text.slice(0, 500)}`);
		assert.match(text, /EUR/, 'currency in the table');
		assert.match(text, /5000/, 'creditMail in the table');
		// The balance in euros is a number: 250, not MailPartner's text "250.000".
		assert.match(text, /\b250\b/, 'balance in the table');
		assert.doesNotMatch(text, /250\.000/, 'the balance is a number, not MailPartner’s text');
		assert.match(text, /demo@sandbox\.mailpartner\.invalid/, 'username in the table');
		const summary = await output.innerText();
		assert.match(summary, /1 item/i, `one item: ${summary.slice(0, 300)}`);
	});

	test('editor: a MailPartner refusal shows its MailPartner code in the error panel', async () => {
		assert.ok(ndv, 'the node panel is not open');
		// Message → Get Status of a message the sandbox does not have: MailPartner's code 4.
		await choose(page, ndv.locator('[data-test-id="parameter-input-resource"]'), 'Message');
		await choose(page, ndv.locator('[data-test-id="parameter-input-operation"]'), 'Get Status');
		// Message ID starts as the expression {{ $json.messageId }} (the previous Send's): typed over
		// in n8n's inline expression editor, it becomes "=999999", which n8n reads as 999999.
		const field = ndv.locator('[data-test-id="parameter-input-messageId"]');
		const expression = field.locator('[data-test-id="inline-expression-editor-input"] [contenteditable="true"], .cm-content[contenteditable="true"]');
		if (await expression.count()) {
			await expression.first().click();
			await page.keyboard.press('ControlOrMeta+A');
			await page.keyboard.type('999999');
		} else {
			await field.locator('input, textarea').first().fill('999999');
		}
		await page.waitForTimeout(300);
		await ndv.locator('[data-test-id="node-execute-button"]').first().click();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('Message not found (MailPartner code 4').first().waitFor({ timeout: 60000 });
		const details = output.locator('details').first();
		if (await details.count()) await details.locator('summary').first().click();
		await page.waitForTimeout(500);
		const text = await output.innerText();
		await shot(page, '07-error-panel.png');
		assert.match(text, /Error code\s*4\b/, `the error panel shows MailPartner's code: ${text.slice(0, 800)}`);
	});

	test('editor: Add Credit’s Subaccount field offers the modes From List and By Token', async () => {
		assert.ok(ndv, 'the node panel is not open');
		await choose(page, ndv.locator('[data-test-id="parameter-input-resource"]'), 'Subaccount');
		await choose(page, ndv.locator('[data-test-id="parameter-input-operation"]'), 'Add Credit');
		const modeSelector = ndv.locator('[data-test-id="rlc-mode-selector"]');
		await modeSelector.first().waitFor({ timeout: 30000 });
		const { texts } = await openOptions(page, modeSelector.first());
		await shot(page, '11-subaccount-modes.png');
		await page.keyboard.press('Escape');
		// n8n labels a mode named "list" "From list" whatever its displayName; the token mode's own name shows.
		const modes = texts.map((t) => t.split('\n')[0].trim().toLowerCase());
		assert.deepEqual(modes, ['from list', 'by token'], `the Subaccount field's modes: ${JSON.stringify(texts)}`);
		const panel = await ndv.innerText();
		assert.match(panel, /Subaccount/, 'the field is labelled Subaccount');
		assert.match(panel, /Amount \(€\)/, 'Add Credit shows its Amount (€) field');
	});

	test('editor: the send-and-follow example runs: Send in sandbox mode, Wait, Get Status per recipient, IF Delivered', async () => {
		assert.ok(page && !page.url().includes('/signin'), 'not signed in');
		if (ndv) await page.keyboard.press('Escape');
		page.once('dialog', (dialog) => dialog.accept().catch(() => {}));
		await page.goto(`${baseUrl}/workflow/mpSendFollow0001`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		const delivered = page.locator('[data-test-id="canvas-node"][data-node-name="Delivered"]');
		await delivered.waitFor({ timeout: 120000 });
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();
		// The sandbox delivers two of the three recipients (the third bounces): the IF routes them apart.
		await delivered.locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 120000 });
		await page.waitForTimeout(500);
		await shot(page, '10-send-and-follow-run.png');
		await delivered.dblclick();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.locator('[data-test-id="ndv-data-container"]').waitFor({ timeout: 30000 });
		const text = await output.innerText();
		await page.keyboard.press('Escape');
		assert.match(text, /2 items/i, `Delivered gets two recipients: ${text.slice(0, 300)}`);
	});

	test('editor: searching "mail partner" finds the package, and its new trigger gets the demo credential', async () => {
		assert.ok(page && !page.url().includes('/signin'), 'not signed in');
		if (ndv) await page.keyboard.press('Escape');
		await onlyDemoCredential();
		// A new workflow's first step is a trigger: the search finds the MailPartner Trigger, which
		// takes the same credential as the node.
		await page.goto(`${baseUrl}/workflow/new`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		page.once('dialog', (dialog) => dialog.accept().catch(() => {}));
		const addFirst = page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first();
		await addFirst.waitFor({ timeout: 120000 });
		await addFirst.click();
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
		await search.waitFor({ timeout: 30000 });
		await search.fill('mail partner');
		await page.waitForTimeout(800);
		await shot(page, '08-node-search.png');
		const found = page.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-item-name"]').filter({ hasText: 'MailPartner' });
		await found.first().waitFor({ timeout: 30000 });
		await found.first().click();
		// The package's page in the node creator: its triggers, then its actions.
		const trigger = page.getByText('On credits below', { exact: true }).first();
		await trigger.waitFor({ timeout: 30000 });
		await trigger.click();
		const newNdv = page.locator('[data-test-id="ndv"]');
		await newNdv
			.locator('[data-test-id="node-credentials-select"]')
			.waitFor({ timeout: 30000 })
			.catch(async (error) => {
				await shot(page, '09-new-node-credential.png');
				throw error;
			});
		await page.waitForTimeout(500);
		const credential = await newNdv.locator('[data-test-id="node-credentials-select"] input').inputValue().catch(() => '');
		await shot(page, '09-new-node-credential.png');
		assert.equal(credential, 'MailPartner sandbox', 'a new MailPartner Trigger gets the demo credential');
	});

	/**
	 * A new workflow built as a newcomer would: Manual Trigger, then MailPartner → Send an e-mail from
	 * the trigger's plus, then MailPartner → Get Status from the Send node's plus (n8n offers a plus
	 * only on an output that is not connected yet, so the examples' Send cannot serve).
	 */
	let sendNodeName = null;
	let statusNodeName = null;
	const mailPartnerNodes = () => page.locator('[data-test-id="canvas-node"][data-node-type="n8n-nodes-mailpartner.mailPartner"]');
	const nodeNames = (locator) => locator.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));

	/** What the page shows, for a failure's message (the picker's items, the canvas). */
	const visibleText = async () => (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 1200);

	/** In the open node picker: searches "MailPartner" and returns the package's entry. */
	async function searchMailPartner(failureShot) {
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
		await search.waitFor({ timeout: 30000 });
		await search.fill('MailPartner');
		// The entry's name (n8n 2.41 gives the entry itself no test id in this view).
		const entry = page
			.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-item-name"]')
			.filter({ hasText: /^\s*MailPartner\s*$/ })
			.first();
		await entry.waitFor({ timeout: 30000 }).catch(async (error) => {
			await shot(page, failureShot);
			throw new Error(`no MailPartner entry in the picker (${error.message.split('\n')[0]}); the page shows: ${await visibleText()}`);
		});
		await page.waitForTimeout(600);
		return entry;
	}

	/** In the package's page of the picker: clicks the action of that name and waits for its panel. */
	async function addAction(entry, action) {
		await entry.click();
		const item = page
			.locator('[data-test-id="node-creator-action-item"], [data-test-id="node-creator-item-name"]')
			.filter({ hasText: new RegExp(`^\\s*${action}\\s*$`) })
			.first();
		await item.waitFor({ timeout: 30000 }).catch(async (error) => {
			await shot(page, 'failed-action-list.png');
			throw new Error(`no action "${action}" (${error.message.split('\n')[0]}); the page shows: ${await visibleText()}`);
		});
		await item.click();
		await page.locator('[data-test-id="ndv"]').waitFor({ timeout: 30000 });
		await page.waitForTimeout(500);
	}

	test('editor: the node picker’s MailPartner entry shows the action node’s description', async () => {
		assert.ok(page && !page.url().includes('/signin'), 'not signed in');
		await page.keyboard.press('Escape');
		page.once('dialog', (dialog) => dialog.accept().catch(() => {}));
		await page.goto(`${baseUrl}/workflow/new`, { timeout: 180000, waitUntil: 'domcontentloaded' });
		const addFirst = page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first();
		await addFirst.waitFor({ timeout: 120000 });
		await addFirst.click();
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
		await search.waitFor({ timeout: 30000 });
		await search.fill('manual');
		const manual = page.locator('[data-test-id="node-creator-node-item"]').filter({ hasText: /Trigger manually/i }).first();
		await manual.waitFor({ timeout: 30000 }).catch(async (error) => {
			await shot(page, '12-picker-entry.png');
			throw new Error(`no Manual Trigger in the picker (${error.message.split('\n')[0]}); the page shows: ${await visibleText()}`);
		});
		await manual.click();
		await page.waitForTimeout(800);
		if (await page.locator('[data-test-id="ndv"]').isVisible()) await page.keyboard.press('Escape');
		// The trigger's free output: the picker in the actions' context, as a second step is added.
		const plus = page.locator('[data-test-id="canvas-node-output-handle"] [data-test-id="canvas-handle-plus"]').first();
		await plus.waitFor({ timeout: 30000 });
		await plus.click();
		const entry = await searchMailPartner('12-picker-entry.png');
		// The entry as shown: its name and, below it, the description (the nearest ancestor with more text).
		const text = await entry.evaluate((name) => {
			let node = name;
			while (node.parentElement && node.innerText.trim() === name.innerText.trim()) node = node.parentElement;
			return node.innerText;
		});
		await shot(page, '12-picker-entry.png');
		// n8n shows one "MailPartner" entry for both nodes, with the trigger's description, which says
		// what the whole package does, actions first.
		assert.match(text, /Send e-mail and follow its delivery/, `the entry shows the actions: ${text}`);
		assert.doesNotMatch(text, /^Starts the workflow/m, `the entry does not read as a trigger only: ${text}`);
		await addAction(entry, 'Send an e-mail');
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
		[sendNodeName] = await nodeNames(mailPartnerNodes());
		assert.ok(sendNodeName, 'the Send node is on the canvas');
	});

	test('editor: a new Get Status after Send has Message ID filled with {{ $json.messageId }}', async () => {
		assert.ok(sendNodeName, 'no Send node on the canvas');
		const plus = page.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${sendNodeName}"] [data-test-id="canvas-handle-plus"]`).first();
		await plus.waitFor({ timeout: 30000 });
		await plus.click();
		await addAction(await searchMailPartner('13-get-status-after-send.png'), 'Get the delivery status of a message');
		const ndvNow = page.locator('[data-test-id="ndv"]');
		const field = ndvNow.locator('[data-test-id="parameter-input-messageId"]');
		await field.waitFor({ timeout: 30000 });
		await page.waitForTimeout(800);
		const value = await field.innerText();
		const preview = ndvNow.locator('[data-test-id="parameter-expression-preview-messageId"]');
		const previewText = (await preview.count()) ? await preview.first().innerText() : '';
		await shot(page, '13-get-status-after-send.png');
		assert.match(value, /\{\{\s*\$json\.messageId\s*\}\}/, `Message ID starts as the Send's messageId: ${JSON.stringify(value)} (preview ${JSON.stringify(previewText)})`);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
		const names = await nodeNames(mailPartnerNodes());
		statusNodeName = names.find((name) => name !== sendNodeName) || null;
		assert.ok(statusNodeName, `the Get Status node is on the canvas: ${JSON.stringify(names)}`);
	});

	test('editor: the canvas subtitles say the operation and resource ("Send · Message")', async () => {
		assert.ok(sendNodeName && statusNodeName, 'the new workflow has no Send and Get Status nodes');
		await page.waitForTimeout(500);
		const subtitle = async (name) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).first().innerText();
		const send = await subtitle(sendNodeName);
		const status = await subtitle(statusNodeName);
		await shot(page, '14-canvas-subtitles.png');
		assert.match(send, /Send · Message/, `the Send node's subtitle: ${JSON.stringify(send)}`);
		assert.match(status, /Get Status · Message/, `the Get Status node's subtitle: ${JSON.stringify(status)}`);
		assert.doesNotMatch(`${send}\n${status}`, /send: message|getStatus: message/, 'no internal values');
	});

}

module.exports = { registerEditorChecks, findChromium, APT_HINT };
