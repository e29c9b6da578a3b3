// First: the capture of console and stdout must be in place before n8n's logger binds them.
import { nextTurn, printLine, takeOutput, takeUncaught } from './harness/hostile-io';

import nock from 'nock';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { createCatcher, createSandbox } from '../dev/sandbox/server';
import { account } from '../nodes/MailPartner/resources/account';
import { message } from '../nodes/MailPartner/resources/message';
import { subaccount } from '../nodes/MailPartner/resources/subaccount';
import { runNode, type RunResult } from './harness/engine';
import { documentedErrors } from './harness/fixtures';
import {
	crashIn,
	errorItemOf,
	createAnswer,
	errorTexts,
	failureXmlRaw,
	key,
	keyIn,
	listAnswer,
	lostIn,
	meAnswer,
	pairedIndex,
	positionalXml,
	Raw,
	row,
	rows,
	runText,
	ok,
} from './harness/hostile';

/**
 * The hostile-conditions suite (issue 6): the node through n8n-core's real WorkflowExecute against
 * the local sandbox on 127.0.0.1 (a fault set per case) and nock where no sandbox fault fits, with
 * a key full of characters that change when encoded (`sandbox-hostile+/=%&key`).
 *
 * Every case records three things besides its own expected outcome:
 * - crash: the run rejects, an exception escapes, or an error is not n8n's class (or is n8n's class
 *   wrapped around an exception nobody meant to throw);
 * - lost: under Continue On Fail, an input item with no output item, an output without or with a
 *   wrong pairedItem, outputs out of order;
 * - leak: the key, in any spelling, in an output item, an error, the run data, what was printed
 *   during the run, the sandbox's log or anything the catcher (another host) received.
 * The last test prints `hostile: N cases, C crashes, L lost, K leaks` and wants 0, 0, 0.
 */

jest.setTimeout(120_000);

type Op = 'getCredits' | 'list' | 'create' | 'getStatus';
type Format = 'json' | 'xml';

interface OpInfo {
	parameters: INodeParameters;
	/** Route path without /v1, as sandbox faults take it. */
	path: string;
	/** Reads are retried on 429/5xx; Create (spends money) on 429 only. */
	read: boolean;
	/** The codes the operation's own table documents. */
	errors: Record<number, unknown>;
	/** The pages' error table for the call (French words), for forced errors. */
	pageErrors: Record<string, string>;
}

/** An operation module by the route it calls, so the suite follows a rename of its selector value. */
function operationOf(resource: { operations: Record<string, { endpoint: { path: string; errors: Record<number, unknown> } }> }, path: string) {
	const found = Object.entries(resource.operations).find(([, operation]) => operation.endpoint.path === path);
	if (!found) throw new Error(`No operation calls ${path}`);
	return { value: found[0], errors: found[1].endpoint.errors };
}
const getCredits = operationOf(account, '/me');
const list = operationOf(subaccount, '/subaccount/list');
const create = operationOf(subaccount, '/subaccount/create');
const getStatus = operationOf(message, '/bulk-status');

const ops: Record<Op, OpInfo> = {
	getCredits: {
		parameters: { resource: 'account', operation: getCredits.value },
		path: '/me',
		read: true,
		errors: getCredits.errors,
		pageErrors: documentedErrors.getCredits,
	},
	list: {
		parameters: { resource: 'subaccount', operation: list.value, returnAll: true },
		path: '/subaccount/list',
		read: true,
		errors: list.errors,
		pageErrors: documentedErrors.listSubaccounts,
	},
	create: {
		parameters: { resource: 'subaccount', operation: create.value, type: 'simple' },
		path: '/subaccount/create',
		read: false,
		errors: create.errors,
		pageErrors: documentedErrors.createSubaccount,
	},
	getStatus: {
		parameters: { resource: 'message', operation: getStatus.value, messageId: '1001' },
		path: '/bulk-status',
		read: true,
		errors: getStatus.errors,
		pageErrors: documentedErrors.getStatus,
	},
};
const allOps = Object.keys(ops) as Op[];

/** The codes errors.ts gives every call (the error-code page: key, account state, IP, rate). */
const commonCodes = [1, 10, 20, 30, 40, 96, 429];
/** Attempts of a read answered 429/5xx with `Retry-After: 0` (client.ts: maxAttempts). */
const readAttempts = 5;

type Outcome =
	| { kind: 'ok'; check?: (outputs: IDataObject[], index: number) => void; emptyOk?: boolean }
	| { kind: 'error'; message: RegExp; description?: RegExp; httpCode?: string; code?: number }
	/** Either outcome is right (e.g. a literal value or a refusal), `check` judges a success. */
	| { kind: 'any'; check?: (outputs: IDataObject[], index: number) => void };

interface Case {
	cls: string;
	name: string;
	parameters: INodeParameters;
	items?: IDataObject[];
	faults?: Record<string, unknown>;
	/** Sets up nock interceptors; the node then talks to the nock origin instead of the sandbox. */
	nock?: (scope: nock.Scope) => void;
	continueOnFail?: boolean;
	settings?: { retryOnFail?: boolean; maxTries?: number; waitBetweenTries?: number };
	outcome: Outcome | ((index: number) => Outcome);
	/** Requests the server must have received (0: refused before sending). */
	requests?: number;
	/** Interceptors a nock case must leave unused (a request that must not be sent, or re-sent). */
	nockLeft?: number;
	/** Extra checks after the run (the sandbox's state, the first error's wording). */
	after?: (result: RunResult | undefined) => void;
}

interface Tally {
	cls: string;
	name: string;
	crash: string[];
	lost: string[];
	leak: string[];
}

const nockOrigin = 'https://api.mailpartner.test';
let sandbox: ReturnType<typeof createSandbox>;
let catcher: ReturnType<typeof createCatcher>;
let sandboxUrl = '';
let catcherHost = '';
const sandboxLog: string[] = [];
const tallies: Tally[] = [];
let started = 0;

beforeAll(async () => {
	started = Date.now();
	// nock stays out of the way of the sandbox's sockets except during the cases that use it.
	nock.restore();
	sandbox = createSandbox({ state: 'demo', log: true, logger: (line: string) => sandboxLog.push(line) });
	({ baseUrl: sandboxUrl } = await sandbox.listen(0, '127.0.0.1'));
	catcher = createCatcher();
	await catcher.listen(0, '127.0.0.1');
	catcherHost = new URL(catcher.baseUrl as unknown as string).host;
});

afterAll(async () => {
	await sandbox?.close();
	await catcher?.close();
	const sum = (field: 'crash' | 'lost' | 'leak') => tallies.filter((tally) => tally[field].length > 0).length;
	printLine(`hostile: ${tallies.length} cases, ${sum('crash')} crashes, ${sum('lost')} lost, ${sum('leak')} leaks`);
	const byClass = new Map<string, number>();
	for (const tally of tallies) byClass.set(tally.cls, (byClass.get(tally.cls) ?? 0) + 1);
	printLine(`hostile cases by class: ${[...byClass].map(([cls, count]) => `${cls} ${count}`).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	for (const tally of tallies.filter((t) => t.crash.length + t.lost.length + t.leak.length > 0)) {
		printLine(`  ${tally.cls} / ${tally.name}: ${[...tally.crash.map((c) => `crash ${c}`), ...tally.lost.map((l) => `lost ${l}`), ...tally.leak.map((k) => `leak ${k}`)].join(' | ').slice(0, 400)}`);
	}
});

/** Options every case starts from: pacing off (the sandbox has no limit unless a case sets one). */
function withOptions(parameters: INodeParameters, options: IDataObject = {}, format: Format = 'json'): INodeParameters {
	const given = (parameters.options ?? {}) as IDataObject;
	return { ...parameters, options: { requestsPerMinute: 0, ...(format === 'xml' ? { responseFormat: 'xml' } : {}), ...given, ...options } };
}

function requestsSeen(): number {
	return sandbox.state.requests.total;
}

interface Record_ {
	result: RunResult | undefined;
	requests: number;
	nockLeft: number;
	tally: Tally;
}

async function runCase(c: Case): Promise<Record_> {
	sandbox.reset();
	sandbox.setFaults(c.faults ?? {});
	sandboxLog.length = 0;
	catcher.requests.length = 0;
	takeOutput();
	takeUncaught();

	let scope: nock.Scope | undefined;
	if (c.nock) {
		nock.activate();
		nock.disableNetConnect();
		scope = nock(nockOrigin);
		c.nock(scope);
	}
	const continueOnFail = c.continueOnFail ?? true;
	const items = c.items ?? [{}];
	let result: RunResult | undefined;
	let rejection: unknown;
	let nockLeft = 0;
	try {
		result = await runNode({
			parameters: c.parameters,
			items,
			credentials: { apiKey: key, baseUrl: c.nock ? `${nockOrigin}/v1` : sandboxUrl },
			continueOnFail,
			...(c.settings ? { settings: c.settings } : {}),
		});
	} catch (error) {
		rejection = error;
	} finally {
		if (c.nock) {
			nockLeft = scope?.activeMocks().length ?? 0;
			nock.cleanAll();
			nock.enableNetConnect();
			nock.restore();
		}
	}
	// Give a stalled socket's last events a turn before reading what was printed.
	await nextTurn();
	const printed = takeOutput();
	const uncaught = takeUncaught();

	const tally: Tally = { cls: c.cls, name: c.name, crash: [], lost: [], leak: [] };
	if (rejection !== undefined) tally.crash.push(`the run rejected: ${String((rejection as Error)?.message ?? rejection)}`);
	for (const { kind, error } of uncaught) tally.crash.push(`${kind}: ${String((error as Error)?.message ?? error)}`);
	const outputs = result?.items ?? [];
	const crash = crashIn(result?.error);
	if (crash) tally.crash.push(crash);
	for (const failed of outputs.map(errorItemOf)) if (failed?.unexpected) tally.crash.push(`an error item: ${failed.message}`);
	if (result && (continueOnFail || !result.error)) {
		const outcome = typeof c.outcome === 'function' ? undefined : c.outcome;
		tally.lost.push(...lostIn(outputs, items.length, outcome?.kind === 'ok' && outcome.emptyOk === true));
	}

	const places: Array<[string, string]> = [
		['the run data', runText(result?.run)],
		['the output items', runText(outputs.map((item) => item.json))],
		['an error', [result?.error, rejection].flatMap((error) => errorTexts(error)).join('\n')],
		['the console or stdout/stderr', printed],
		['the sandbox log', sandboxLog.join('\n')],
		['what the catcher received', runText(catcher.requests)],
	];
	for (const [place, text] of places) {
		const found = keyIn(text);
		if (found !== undefined) tally.leak.push(`${place}: …${found}…`);
	}
	tallies.push(tally);
	return { result, requests: requestsSeen(), nockLeft, tally };
}

function firstError(result: RunResult | undefined): { message?: string } | undefined {
	return result?.error ?? result?.items?.map(errorItemOf).find((failed) => failed !== undefined);
}

/**
 * The failure itself, without what a money call whose outcome is unknown says first ("The send may
 * have gone out: …"): that warning is the failure matrix's to check (test/failure-matrix.test.ts);
 * here each case's own expectation is about the failure.
 */
function failureOf(message: string | undefined): string | undefined {
	const reason = message?.replace(/^The (send may have gone out|subaccount may have been created|credit may have been moved): /, '');
	return reason === message ? message : reason?.replace(/^the /, 'The ');
}

function outcomeOf(c: Case, index: number): Outcome {
	return typeof c.outcome === 'function' ? c.outcome(index) : c.outcome;
}

/** The case's own expectations: what each input item must become. */
function expectOutcome(c: Case, result: RunResult | undefined): void {
	expect(result).toBeDefined();
	if (!result) return;
	const items = c.items ?? [{}];
	const continueOnFail = c.continueOnFail ?? true;
	if (!continueOnFail) {
		const outcome = outcomeOf(c, 0);
		if (outcome.kind === 'error') {
			expect(failureOf(result.error?.message)).toMatch(outcome.message);
			if (outcome.description) expect(result.error?.description).toMatch(outcome.description);
			if (outcome.code !== undefined) expect((result.error as { errorResponse?: IDataObject } | undefined)?.errorResponse?.code).toBe(outcome.code);
			return;
		}
		if (outcome.kind === 'ok') expect(result.error).toBeUndefined();
	}
	const byIndex = new Map<number, INodeExecutionData[]>();
	for (const item of result.items ?? []) {
		const index = pairedIndex(item) ?? -1;
		const mine = byIndex.get(index);
		if (mine) mine.push(item);
		else byIndex.set(index, [item]);
	}
	for (let index = 0; index < items.length; index++) {
		const outcome = outcomeOf(c, index);
		const mine = byIndex.get(index) ?? [];
		const failed = mine.map(errorItemOf).filter((error) => error !== undefined);
		if (outcome.kind === 'error') {
			expect({ index, outputs: mine.length, failed: failed.length }).toEqual({ index, outputs: 1, failed: 1 });
			const error = failed[0];
			expect(failureOf(error?.message)).toMatch(outcome.message);
			if (outcome.description) expect(error?.description).toMatch(outcome.description);
			if (outcome.httpCode) expect(error?.httpCode).toBe(outcome.httpCode);
			if (outcome.code !== undefined) expect(error?.code).toBe(outcome.code);
		} else if (outcome.kind === 'ok') {
			expect({ index, failed: failed.map((error) => error.message) }).toEqual({ index, failed: [] });
			if (!outcome.emptyOk) expect(mine.length).toBeGreaterThan(0);
			outcome.check?.(mine.map((item) => item.json), index);
		} else if (failed.length === 0) {
			outcome.check?.(mine.map((item) => item.json), index);
		}
	}
}

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// =============================================================================================
// 1. Bad input for every parameter of every operation (nothing invalid is ever sent)
// =============================================================================================

const hostileValues: Array<[string, unknown]> = [
	['empty', ''],
	['whitespace', ' \t '],
	['true', true],
	['an object', { a: 1 }],
	['a list', [1, 2]],
	['null', null],
	['negative', -5],
	['negative text', '-5'],
	['a fraction', 2.5],
	['zero', 0],
	['1e21', 1e21],
	['400 digits', '9'.repeat(400)],
	['100 000 characters', 'x'.repeat(100_000)],
	['Arabic digits', '١٢٣'],
	['full-width digits', '１２３'],
	['Unicode text', 'é💥\u202e'],
	['300&_format=xml', '300&_format=xml'],
	['1&apiKey=x', '1&apiKey=x'],
	['../me', '../me'],
	['CR/LF', '1\r\nX-Injected: yes'],
	['hex 0x10', '0x10'],
	['exponent 1e3', '1e3'],
	['NaN', NaN],
	['Infinity', Infinity],
];

/** A parameter read from the item (`{{ $json.v }}`), so a value of any type reaches the node. */
const fromItem = '={{ $json.v }}';

function badInput(op: Op, name: string, parameters: INodeParameters, outcomeFor: (value: unknown) => Outcome, sentFor: (value: unknown) => number) {
	for (const [label, value] of hostileValues) {
		add({
			cls: 'bad input',
			name: `${op} ${name}: ${label}`,
			parameters: withOptions(parameters),
			items: [{ v: value as IDataObject[string] }],
			outcome: outcomeFor(value),
			requests: sentFor(value),
		});
	}
}

const refusedBeforeSending = () => 0;
const messageIdRefused: Outcome = { kind: 'error', message: /^Message ID (is empty|must be a number, got ")/, description: /Nothing was sent/ };
/** A Message ID is digits only (up to 20); anything else is refused before sending. */
const digitsOnly = (value: unknown) => (typeof value === 'string' || typeof value === 'number') && /^\d{1,20}$/.test(String(value).trim());
badInput(
	'getStatus',
	'messageId',
	{ ...ops.getStatus.parameters, messageId: fromItem },
	// The hostile account has message 1001 only: any other number is MailPartner's code 4.
	(value) => (digitsOnly(value) ? { kind: 'error', message: /^Message not found \(MailPartner code 4: /, code: 4 } : messageIdRefused),
	(value) => (digitsOnly(value) ? 1 : 0),
);

badInput(
	'list',
	'limit',
	{ ...ops.list.parameters, returnAll: false, limit: fromItem },
	() => ({ kind: 'error', message: /^Limit must be a whole number of at least 1, got /, description: /Nothing was sent/ }),
	refusedBeforeSending,
);

badInput(
	'create',
	'type',
	{ ...ops.create.parameters, type: fromItem },
	() => ({ kind: 'error', message: /^Type (is required|must be exactly one of "simple", "advanced", got )/, description: /Nothing was sent and no credit was spent/ }),
	refusedBeforeSending,
);

/** What Create's Email accepts: optional for a simple subaccount, else one plausible address. */
const emailLike = (value: unknown) => {
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	return text === '' ? 'absent' : /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) && text.length <= 254 ? 'valid' : 'invalid';
};
badInput(
	'create',
	'email',
	{ ...ops.create.parameters, email: fromItem },
	(value) =>
		emailLike(value) === 'invalid'
			? { kind: 'error', message: /^Email ".*" is not a valid e-mail address$/s, description: /Nothing was sent/ }
			: { kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('subaccount.token') },
	(value) => (emailLike(value) === 'invalid' ? 0 : 1),
);

const isBuyerOf = (value: unknown) => {
	const text = typeof value === 'boolean' ? String(value) : typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : '';
	return ['1', 'true', 'yes', '0', 'false', 'no'].includes(text);
};
badInput(
	'create',
	'isBuyer',
	{ ...ops.create.parameters, type: 'advanced', email: 'buyer@example.com', isBuyer: fromItem },
	(value) =>
		isBuyerOf(value)
			? { kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('subaccount.email', 'buyer@example.com') }
			: { kind: 'error', message: /^Is Buyer is required for an advanced subaccount$/, description: /Nothing was sent/ },
	(value) => (isBuyerOf(value) ? 1 : 0),
);

/** Credit To Attribute: absent, or euros (to the tenth of a cent) in decimal notation, > 0 and under 1e9. */
const creditOf = (value: unknown): 'absent' | 'valid' | 'invalid' => {
	if (value === undefined || value === null || value === '') return 'absent';
	const tenthsOfCents = typeof value === 'number' ? Math.abs(value * 1000 - Math.round(value * 1000)) <= 1e-6 : true;
	const amount = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}(\.\d{1,3})?$/.test(value.trim()) ? Number(value) : NaN;
	return tenthsOfCents && Number.isFinite(amount) && amount > 0 && amount < 1e9 ? 'valid' : 'invalid';
};
badInput(
	'create',
	'creditToAttribute',
	{ ...ops.create.parameters, additionalFields: { creditToAttribute: fromItem } },
	(value) => {
		const kind = creditOf(value);
		if (kind === 'invalid') return { kind: 'error', message: /^Credit To Attribute must be (greater than 0|euros in decimal notation)/, description: /no credit was spent/ };
		// The hostile account holds 100 €: more is MailPartner's code 9, said as such.
		if (kind === 'valid' && (value as number) > 100) return { kind: 'error', message: /^Your main account balance must be greater than 0 \(MailPartner code 9: /, code: 9 };
		return { kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('subaccount.token') };
	},
	(value) => (creditOf(value) === 'invalid' ? 0 : 1),
);

for (const field of ['title', 'firstname', 'lastname']) {
	badInput(
		'create',
		field,
		{ ...ops.create.parameters, additionalFields: { [field]: fromItem } },
		() => ({ kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('subaccount.token') }),
		() => 1,
	);
}

// Options: read once per execution; a value out of range stops the node before anything is sent.
const wholeIn = (value: unknown, min: number, max: number): 'absent' | 'valid' | 'invalid' => {
	if (value === undefined || value === null || value === '') return 'absent';
	const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : NaN;
	return Number.isInteger(number) && number >= min && number <= max ? 'valid' : 'invalid';
};
for (const [option, label, min, max] of [
	['timeout', 'Timeout', 1000, 300_000],
	['itemsInFlight', 'Items In Flight', 1, 100],
	['requestsPerMinute', 'Requests Per Minute', 0, 100_000],
] as const) {
	for (const [valueLabel, value] of hostileValues) {
		const op = allOps[hostileValues.findIndex(([l]) => l === valueLabel) % allOps.length];
		const verdict = wholeIn(value, min, max);
		add({
			cls: 'bad input',
			name: `${op} Options → ${label}: ${valueLabel}`,
			parameters: withOptions(ops[op].parameters, { [option]: fromItem }),
			items: [{ v: value as IDataObject[string] }],
			// Options hold for the whole execution: a wrong one stops the node, whatever the item.
			continueOnFail: false,
			outcome:
				verdict === 'invalid'
					? { kind: 'error', message: new RegExp(`^${label} must be a whole number from ${min} to ${max}, got `), description: /Nothing was sent/ }
					: { kind: 'ok' },
			requests: verdict === 'invalid' ? 0 : undefined,
		});
	}
}
for (const [label, value, valid] of [
	['yaml', 'yaml', false],
	['XML in capitals', 'XML', false],
	['empty', '', false],
	['an injection', 'xml&apiKey=x', false],
	['null', null, true],
] as const) {
	add({
		cls: 'bad input',
		name: `getCredits Options → Response Format: ${label}`,
		parameters: withOptions(ops.getCredits.parameters, { responseFormat: fromItem }),
		items: [{ v: value }],
		continueOnFail: false,
		outcome: valid ? { kind: 'ok' } : { kind: 'error', message: /^Response Format must be JSON or XML, got "/ },
		requests: valid ? 1 : 0,
	});
}
for (const [label, value] of [
	['"true" as text', 'true'],
	['"yes"', 'yes'],
	['1', 1],
	['an object', { a: 1 }],
	['null', null],
] as const) {
	add({
		cls: 'bad input',
		name: `list Return All: ${label}`,
		parameters: withOptions({ ...ops.list.parameters, returnAll: fromItem, limit: 2 }),
		items: [{ v: value }],
		// Only true (or "true" from an expression) means all; anything else uses Limit.
		outcome: { kind: 'ok', check: (outputs) => expect(outputs).toHaveLength(value === 'true' ? 3 : 2) },
		requests: 1,
	});
}
add({
	cls: 'bad input',
	name: 'create with Retry On Fail on is refused before anything is sent',
	parameters: withOptions(ops.create.parameters),
	settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
	continueOnFail: false,
	outcome: { kind: 'error', message: /^Retry On Fail is on/ },
	requests: 0,
});
add({
	cls: 'bad input',
	name: 'create: one invalid item among valid ones stops the node before any is sent',
	parameters: withOptions({ ...ops.create.parameters, email: fromItem }),
	items: [{ v: 'a@example.com' }, { v: 'not an email' }, { v: 'b@example.com' }],
	continueOnFail: false,
	outcome: { kind: 'error', message: /^Not sent: item 2 is invalid/ },
	requests: 0,
});
add({
	cls: 'bad input',
	name: 'getStatus: valid and invalid items mixed, Continue On Fail',
	parameters: withOptions({ ...ops.getStatus.parameters, messageId: fromItem }),
	items: [{ v: '1001' }, { v: '1&apiKey=x' }, { v: ' 1001 ' }, { v: '../me' }, { v: 1001 }],
	outcome: (index) => (index % 2 === 1 ? messageIdRefused : { kind: 'ok', check: (outputs) => expect(outputs[0].messageId).toBe('1001') }),
	requests: 3,
});

// =============================================================================================
// 2. Every documented code of every operation, in JSON and in XML
// =============================================================================================

const forcedMessage = (op: Op, code: number) => ops[op].pageErrors[String(code)] ?? `Erreur ${code} (sandbox)`;
for (const op of allOps) {
	const own = Object.keys(ops[op].errors).map(Number);
	// 90 and 500 are on the error-code page but in no table of the node: they read as undocumented.
	const codes = [...new Set([...commonCodes, ...own, 90, 500])].sort((a, b) => a - b);
	for (const format of ['json', 'xml'] as const) {
		for (const code of codes) {
			const documented = commonCodes.includes(code) || own.includes(code);
			const message = forcedMessage(op, code);
			const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			add({
				cls: 'documented codes',
				name: `${op} ${format} code ${code}`,
				parameters: withOptions(ops[op].parameters, {}, format),
				faults: { forceError: { code, message, path: ops[op].path } },
				outcome: {
					kind: 'error',
					message: new RegExp(`^${documented ? '(?!MailPartner refused the request)' : 'MailPartner refused the request '}.*\\(MailPartner code ${code}: ${escaped}\\)$`),
					code,
				},
				// MailPartner's failures come with 4xx: answered once, never retried.
				requests: 1,
			});
		}
	}
}

// =============================================================================================
// 3. HTTP 400–504 with JSON, XML, HTML and empty bodies (the key echoed in each)
// =============================================================================================

const statuses = [400, 401, 402, 403, 404, 405, 408, 409, 410, 413, 415, 418, 422, 429, 451, 500, 501, 502, 503, 504];
const bodies: Array<[string, Format, (status: number) => string, (status: number) => RegExp, string]> = [
	['JSON', 'json', (status) => JSON.stringify({ success: false, code: status, message: `Erreur ${status} pour {{apiKey}}` }), (status) => new RegExp(`\\(MailPartner code ${status}: Erreur ${status} pour \\[API key\\]\\)$`), 'application/json'],
	// The message as numeric character references outside CDATA: the decoder turns them into the key.
	['XML', 'xml', (status) => failureXmlRaw(status, `Erreur ${status} pour {{apiKeyXmlCharRefs}}`), (status) => new RegExp(`\\(MailPartner code ${status}: Erreur ${status} pour \\[API key\\]\\)$`), 'application/xml'],
	['HTML', 'json', (status) => `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>Error ${status}</h1><p>GET /v1/me?apiKey={{apiKey}}</p></body></html>`, (status) => new RegExp(`^MailPartner answered with an HTML page \\(HTTP ${status}\\)$`), 'text/html'],
	['empty', 'json', () => '', (status) => new RegExp(`^MailPartner sent an empty answer \\(HTTP ${status}\\)$`), 'text/plain'],
];
statuses.forEach((status, statusIndex) => {
	bodies.forEach(([label, format, body, message, contentType], bodyIndex) => {
		const op = allOps[(statusIndex + bodyIndex) % allOps.length];
		// A 429 refuses before anything is done: every call goes again; a 5xx only a read.
		const retried = status === 429 || (ops[op].read && status >= 500);
		add({
			cls: 'HTTP status',
			name: `${op} HTTP ${status} with ${label} body`,
			parameters: withOptions(ops[op].parameters, {}, format),
			faults: { answer: { status, body: body(status), contentType, headers: { 'Retry-After': '0' } } },
			// HTTP 429 reads as MailPartner's code 429 whatever its body says.
			outcome: { kind: 'error', message: status === 429 ? /^Too many requests: MailPartner allows 2 000 a minute/ : message(status), httpCode: String(status) },
			requests: retried ? readAttempts : 1,
		});
	});
});

// =============================================================================================
// 4. Cut-off and malformed bodies
// =============================================================================================

for (const op of allOps) {
	for (const format of ['json', 'xml'] as const) {
		add({
			cls: 'cut-off or malformed',
			name: `${op} ${format} answer cut in half`,
			parameters: withOptions(ops[op].parameters, {}, format),
			faults: { truncateBody: true },
			outcome: { kind: 'error', message: /(incomplete or malformed|not well-formed|did not match the expected layout)/, description: /Start of the answer/ },
			requests: 1,
		});
	}
	add({
		cls: 'cut-off or malformed',
		name: `${op} malformed JSON`,
		parameters: withOptions(ops[op].parameters),
		faults: { malformedBody: true },
		outcome: { kind: 'error', message: /^MailPartner’s JSON answer is incomplete or malformed \(HTTP 200\)$/ },
		requests: 1,
	});
	add({
		cls: 'cut-off or malformed',
		name: `${op} dropped connection`,
		parameters: withOptions(ops[op].parameters),
		faults: { dropConnection: true },
		outcome: { kind: 'error', message: /closed unexpectedly|failed/ },
		requests: 1,
	});
}
const malformed: Array<[string, string, RegExp]> = [
	['{"success":true', '{"success":true', /incomplete or malformed/],
	['a cut key', '{"success":true,"code":200,"user":{"username":"a', /incomplete or malformed/],
	['{}', '{}', /has no "success" field/],
	['[]', '[]', /neither JSON nor XML/],
	['null', 'null', /neither JSON nor XML/],
	['success as text', '{"success":"true","code":200}', /has no "success" field/],
	['success true, nothing else', '{"success":true,"code":200}', /did not match the expected layout at user/],
	['a wrong type inside', JSON.stringify(meAnswer({ first: 'x' })), /did not match the expected layout at user\.username: expected a text/],
	['creditMail as text', JSON.stringify({ ...meAnswer(), credits: { creditMail: 'lots', currency: 'EUR', balance: '1' } }), /at credits\.creditMail: expected a number/],
	// The balance is output as a number of euros: only plain decimal text reads as one, never a guess.
	['a balance with a decimal comma', JSON.stringify({ ...meAnswer(), credits: { creditMail: 1, currency: 'EUR', balance: '100,500' } }), /at credits\.balance: expected a number, found string "100,500"/],
	['a balance in hex', JSON.stringify({ ...meAnswer(), credits: { creditMail: 1, currency: 'EUR', balance: '0x10' } }), /at credits\.balance: expected a number/],
	['a balance with an exponent', JSON.stringify({ ...meAnswer(), credits: { creditMail: 1, currency: 'EUR', balance: '1e3' } }), /at credits\.balance: expected a number/],
	['a balance with a currency sign', JSON.stringify({ ...meAnswer(), credits: { creditMail: 1, currency: 'EUR', balance: '100 €' } }), /at credits\.balance: expected a number/],
	['plain text', 'Service temporarily unavailable', /neither JSON nor XML/],
	['a NUL byte', '\u0000', /neither JSON nor XML/],
	['a BOM before the JSON', `\ufeff${JSON.stringify(meAnswer())}`, /.*/],
	['<result/>', '<result/>', /did not match the expected layout/],
	['another XML root', '<?xml version="1.0"?><foo><entry>true</entry></foo>', /expected one <result> root, found <foo>/],
	['two roots', '<result><entry>true</entry></result><result/>', /not well-formed|expected one <result> root/],
	['an unclosed tag', '<result><entry>true</entry><entry>200', /not well-formed/],
	['success neither true nor false', '<result><entry>maybe</entry></result>', /at success: expected true or false/],
	['a JSON failure whose message is an object', JSON.stringify({ success: false, code: 10, message: { deep: { key: '{{apiKey}}' } } }), /^Invalid API key \(MailPartner code 10: /],
	['a JSON failure whose code is hex', JSON.stringify({ success: false, code: '0x10', message: 'hex' }), /^MailPartner refused the request \(no error code: hex\)$/],
];
malformed.forEach(([label, body, message]) => {
	const op: Op = 'getCredits';
	add({
		cls: 'cut-off or malformed',
		name: `${op} body: ${label}`,
		parameters: withOptions(ops[op].parameters),
		faults: { answer: { status: 200, body, path: ops[op].path } },
		// The BOM case: whatever the node decides, never a crash; the others are clear errors.
		outcome: label === 'a BOM before the JSON' ? { kind: 'any' } : { kind: 'error', message },
		requests: 1,
	});
});

// =============================================================================================
// 5. Redirects, GET and POST: never followed, never re-sent, the key never leaves
// =============================================================================================

for (const status of [301, 302, 303, 307, 308]) {
	for (const op of allOps) {
		for (const keepPath of [false, true]) {
			add({
				cls: 'redirect',
				name: `${op} (${ops[op].read ? 'GET' : 'POST'}) answered ${status}${keepPath ? ' to the same path and query on another host' : ''}`,
				parameters: withOptions(ops[op].parameters),
				faults: { redirect: { status, to: `CATCHER${ops[op].path}`, keepPath } },
				outcome: { kind: 'error', message: new RegExp(`^MailPartner answered with a redirect \\(HTTP ${status}\\) to 127\\.0\\.0\\.1:\\d+: it was not followed$`), httpCode: String(status) },
				requests: 1,
				// The host named is the other host's, and the key is not part of it.
				after: (result) => expect(firstError(result)?.message).toContain(`to ${catcherHost}:`),
			});
		}
	}
}
for (const [label, location, message] of [
	['no Location', undefined, /redirect \(HTTP 302\) to nowhere: it was not followed$/],
	['a relative Location with the key', '/v1/me?apiKey={{apiKey}}', /redirect \(HTTP 302\) to 127\.0\.0\.1:\d+: it was not followed$/],
	['a Location that is not a URL, with the key', 'http://[not-a-host/?apiKey={{apiKey}}', /^MailPartner answered with a redirect \(HTTP 302\) to an invalid address: it was not followed$/],
	['a Location with the key in the user part', 'http://{{apiKey}}@127.0.0.1:9/v1/me', /redirect \(HTTP 302\) to 127\.0\.0\.1:9: it was not followed$/],
] as const) {
	add({
		cls: 'redirect',
		name: `getCredits answered 302 with ${label}`,
		parameters: withOptions(ops.getCredits.parameters),
		// `answer` fills {{apiKey}} in the body only: the Location is written with the key itself.
		faults: { answer: { status: 302, body: '', contentType: 'text/html', headers: location === undefined ? {} : { Location: location.replace('{{apiKey}}', encodeURIComponent(key)) } } },
		outcome: { kind: 'error', message },
		requests: 1,
	});
}

// =============================================================================================
// 6. Stalled and slow answers (Options → Timeout 1 s), huge and endless bodies, deep nesting
// =============================================================================================

for (const op of allOps) {
	for (const [label, faults] of [
		['stalled headers', { stallHeaders: true }],
		['a body that stalls half-way', { stallBody: true }],
		['a body at 100 bytes a second', { slowBody: { bytesPerSecond: 100 } }],
	] as const) {
		add({
			cls: 'stall, slow, huge, deep',
			name: `${op}: ${label}, 1 s timeout`,
			parameters: withOptions(ops[op].parameters, { timeout: 1000 }),
			faults,
			outcome: {
				kind: 'error',
				message: /^MailPartner did not answer within 1 s \(127\.0\.0\.1:\d+\)$/,
				description: ops[op].read ? /Raise Options → Timeout/ : /^MailPartner may have carried it out before the answer was lost/,
			},
			// A timeout is not retried: even a read gives up after one.
			requests: 1,
		});
	}
	add({
		cls: 'stall, slow, huge, deep',
		name: `${op}: a slow body that still arrives in time`,
		parameters: withOptions(ops[op].parameters, { timeout: 5000 }),
		faults: { slowBody: { bytesPerSecond: 20_000 } },
		outcome: { kind: 'ok' },
		requests: 1,
	});
}
for (const [label, faults, message] of [
	['a 20 MB JSON failure (Content-Length)', { hugeBody: { bytes: 20 * 1024 * 1024, kind: 'json', status: 400 } }, /larger than 10 MB: it was not read/],
	['a 20 MB XML failure (Content-Length)', { hugeBody: { bytes: 20 * 1024 * 1024, kind: 'xml', status: 200 } }, /larger than 10 MB: it was not read/],
	['a 1 TB JSON failure (Content-Length)', { hugeBody: { bytes: 2 ** 40, kind: 'json', status: 400 } }, /larger than 10 MB: it was not read/],
	['an endless chunked body', { hugeBody: { kind: 'endless', status: 200 } }, /larger than 10 MB: it was not read/],
	// Cut to a readable length: 300 characters and an ellipsis.
	['a 9 MB failure message', { hugeBody: { bytes: 9 * 1024 * 1024, kind: 'json', status: 400 } }, /^(?=.{1,301}$)MailPartner refused the request \(MailPartner code 400: Erreur interne du serveur/s],
	['a 9 MB XML failure message', { hugeBody: { bytes: 9 * 1024 * 1024, kind: 'xml', status: 400 } }, /^(?=.{1,301}$)MailPartner refused the request \(MailPartner code 400: Erreur interne du serveur/s],
] as const) {
	for (const op of ['getCredits', 'create'] as const) {
		add({
			cls: 'stall, slow, huge, deep',
			name: `${op}: ${label}`,
			parameters: withOptions(ops[op].parameters, {}, 'kind' in faults.hugeBody && faults.hugeBody.kind === 'xml' ? 'xml' : 'json'),
			faults,
			outcome: { kind: 'error', message },
			requests: 1,
		});
	}
}
add({
	cls: 'stall, slow, huge, deep',
	name: 'create: 100 000 error details make a bounded description',
	parameters: withOptions(ops.create.parameters),
	faults: {
		answer: {
			status: 400,
			body: JSON.stringify({ success: false, code: 6, message: "L'email est requis", error: Array.from({ length: 100_000 }, (_, index) => ({ elementId: `field${index}`, message: `bad {{apiKey}} ${index}` })) }),
		},
	},
	outcome: { kind: 'error', message: /^Email is required for an advanced subaccount \(MailPartner code 6: /, description: /^.{1,1300}$/s },
	requests: 1,
});
for (const op of allOps) {
	for (const [format, depth] of [['json', 10_000], ['json', 1_000_000], ['xml', 10_000], ['xml', 100_000]] as const) {
		const fieldKey = { getCredits: 'user', list: 'data', create: 'subaccount', getStatus: 'StatutResponseList' }[op];
		add({
			cls: 'stall, slow, huge, deep',
			name: `${op}: ${format} nested ${depth} deep`,
			parameters: withOptions(ops[op].parameters, {}, format),
			faults: { deepNesting: { depth, format, key: fieldKey } },
			outcome: { kind: 'error', message: /did not match the expected layout|could not be read|not well-formed|incomplete or malformed/ },
			requests: 1,
		});
	}
}

// =============================================================================================
// 7. Hostile XML, character references, and the key echoed in every spelling
// =============================================================================================

const xmlCases: Array<[string, string, Outcome]> = [
	[
		'entity expansion (billion laughs)',
		`<?xml version="1.0"?><!DOCTYPE result [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><result><entry>true</entry><entry>200</entry><entry><username>&d;</username></entry><entry><entry>1</entry><entry>EUR</entry><entry>1</entry></entry></result>`,
		{ kind: 'error', message: /declares a DOCTYPE/ },
	],
	[
		'an external entity (file)',
		`<?xml version="1.0"?><!DOCTYPE result [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><result><entry>true</entry><entry>200</entry><entry><username>&xxe;</username></entry><entry><entry>1</entry><entry>EUR</entry><entry>1</entry></entry></result>`,
		{ kind: 'error', message: /declares a DOCTYPE/ },
	],
	[
		'an external entity (http to another host)',
		`<?xml version="1.0"?><!DOCTYPE result SYSTEM "CATCHER/dtd"><result><entry>true</entry><entry>200</entry><entry><username>x</username></entry><entry><entry>1</entry><entry>EUR</entry><entry>1</entry></entry></result>`,
		{ kind: 'error', message: /declares a DOCTYPE/ },
	],
	[
		'a parameter entity',
		`<?xml version="1.0"?><!DOCTYPE result [<!ENTITY % p SYSTEM "CATCHER/p">%p;]><result><entry>true</entry></result>`,
		{ kind: 'error', message: /declares a DOCTYPE/ },
	],
	['a lower-case doctype', `<!doctype result><result><entry>true</entry></result>`, { kind: 'error', message: /declares a DOCTYPE|HTML/ }],
	[
		'an undeclared entity',
		positionalXml(meAnswer(new Raw('&xxe;'))),
		{ kind: 'any', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('&xxe;') },
	],
	['&#233; decoded', positionalXml(meAnswer(new Raw('caf&#233;'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('café') }],
	['&#xE9; decoded', positionalXml(meAnswer(new Raw('caf&#xE9;'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('café') }],
	['&#128512; decoded', positionalXml(meAnswer(new Raw('&#128512;'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('😀') }],
	['&amp;#233; decoded once', positionalXml(meAnswer(new Raw('&amp;#233;'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('&#233;') }],
	['&lt;&gt;&quot;&apos;', positionalXml(meAnswer(new Raw('&lt;a&gt;&quot;&apos;'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe(`<a>"'`) }],
	['a reference out of Unicode', positionalXml(meAnswer(new Raw('&#1114112;'))), { kind: 'any' }],
	['a lone surrogate reference', positionalXml(meAnswer(new Raw('&#55296;'))), { kind: 'any' }],
	['&#0;', positionalXml(meAnswer(new Raw('a&#0;b'))), { kind: 'any' }],
	['references in CDATA stay as written', positionalXml(meAnswer('caf&#233;')), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('caf&#233;') }],
	['a processing instruction and comments', `<?xml version="1.0"?><?xml-stylesheet href="CATCHER/x.xsl"?><!-- c --><result><entry>true</entry><entry>200</entry><!-- c --><entry><username>x</username></entry><entry><entry>1</entry><entry>EUR</entry><entry>1</entry></entry></result>`, { kind: 'any', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('x') }],
	['the key as character references in a value', positionalXml(meAnswer(new Raw('{{apiKeyXmlCharRefs}}'))), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('[API key]') }],
	['the key raw in CDATA', positionalXml(meAnswer('{{apiKey}}')), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('[API key]') }],
	['the key in an attribute', positionalXml(meAnswer('x')).replace('<result>', '<result echo="{{apiKey}}">'), { kind: 'any' }],
	['the key as references in a failure', failureXmlRaw(10, 'Cl&#233; {{apiKeyXmlCharRefs}} incorrecte'), { kind: 'error', message: /^Invalid API key \(MailPartner code 10: Clé \[API key\] incorrecte\)$/ }],
	['the key in an XML answer of the wrong layout', `<result><entry>true</entry><entry>{{apiKeyXmlCharRefs}}</entry></result>`, { kind: 'error', message: /did not match the expected layout/ }],
];
for (const [label, body, outcome] of xmlCases) {
	add({
		cls: 'hostile XML',
		name: `getCredits xml: ${label}`,
		parameters: withOptions(ops.getCredits.parameters, {}, 'xml'),
		faults: { answer: { status: 200, body, contentType: 'application/xml' } },
		outcome,
		requests: 1,
	});
}
const jsonEchoes: Array<[string, string, Outcome]> = [
	['\\u escapes in a value', JSON.stringify(meAnswer('@@')).replace('@@', '{{apiKeyJsonEscaped}}'), { kind: 'ok', check: (outputs) => expect((outputs[0].user as IDataObject).username).toBe('[API key]') }],
	['\\u escapes in a failure message', JSON.stringify({ success: false, code: 10, message: 'Cl\u00e9 @@' }).replace('@@', '{{apiKeyJsonEscaped}}'), { kind: 'error', message: /^Invalid API key \(MailPartner code 10: Clé \[API key\]\)$/ }],
	['raw in error details', JSON.stringify({ success: false, code: 5, message: 'x', error: [{ elementId: 'apiKey', message: '{{apiKey}}' }] }), { kind: 'error', message: /MailPartner code 5/, description: /apiKey: \[API key\]/ }],
	['only & escaped (\\u0026), in a malformed answer', `{"success": tru, "echo": "${key.replace('&', '\\u0026')}"`, { kind: 'error', message: /incomplete or malformed/ }],
	['only / escaped (\\/), in a malformed answer', `{"success": tru, "echo": "${key.replace('/', '\\/')}"`, { kind: 'error', message: /incomplete or malformed/ }],
	['upper-case \\u escapes, in a malformed answer', `{"success": tru, "echo": "${[...key].map((char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join('')}"`, { kind: 'error', message: /incomplete or malformed/ }],
	['lower-case percent-encoding, in an HTML page', `<html><body>GET /v1/me?apiKey=${encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}</body></html>`, { kind: 'error', message: /HTML page/ }],
	['hex character references, in an HTML page', `<html><body>${[...key].map((char) => `&#x${char.charCodeAt(0).toString(16)};`).join('')}</body></html>`, { kind: 'error', message: /HTML page/ }],
	['only & as &amp;, in plain text', `Bad key: ${key.replace('&', '&amp;')}`, { kind: 'error', message: /neither JSON nor XML/ }],
	['encoded twice (%25), in plain text', `Bad key: ${encodeURIComponent(encodeURIComponent(key))}`, { kind: 'error', message: /neither JSON nor XML/ }],
	['with + as a space, in plain text', `Bad key: ${key.replace('+', ' ')}`, { kind: 'error', message: /neither JSON nor XML/ }],
	['cut by the excerpt', `<html><body>${'x'.repeat(150)}{{apiKey}}</body></html>`, { kind: 'error', message: /HTML page/ }],
	['in a field the shape leaves out', JSON.stringify({ ...meAnswer(), echo: '{{apiKey}}' }), { kind: 'ok', check: (outputs) => expect(outputs[0]).not.toHaveProperty('echo') }],
];
for (const [label, body, outcome] of jsonEchoes) {
	add({
		cls: 'key echoed',
		name: `getCredits: the key echoed ${label}`,
		parameters: withOptions(ops.getCredits.parameters),
		faults: { answer: { status: 200, body, path: '/me' } },
		outcome,
		requests: 1,
	});
}

// =============================================================================================
// 8. 429 and 5xx: reads retried (Retry-After honoured, bounded), Create after a 429 only
// =============================================================================================

const subaccountCount = () => {
	const accounts = sandbox.state.accounts as Record<string, { subaccounts: unknown[] }>;
	return accounts[key].subaccounts.length;
};
for (const [op, format, count, retryAfterSeconds, outcome, requests] of [
	['getCredits', 'json', 2, 0, { kind: 'ok' }, 3],
	['getCredits', 'xml', 2, 0, { kind: 'ok' }, 3],
	['list', 'json', 2, 0, { kind: 'ok', check: (outputs: IDataObject[]) => expect(outputs).toHaveLength(3) }, 3],
	['list', 'xml', 4, 0, { kind: 'ok', check: (outputs: IDataObject[]) => expect(outputs).toHaveLength(3) }, 5],
	['getStatus', 'json', 4, 0, { kind: 'ok' }, 5],
	['getStatus', 'json', 5, 0, { kind: 'error', message: /^Too many requests: MailPartner allows 2 000 a minute per IP address \(MailPartner code 429: /, code: 429 }, 5],
	['getStatus', 'xml', 9, 0, { kind: 'error', message: /^Too many requests/, code: 429 }, 5],
	['getCredits', 'json', 1, 1, { kind: 'ok' }, 2],
	['getCredits', 'json', 1, undefined, { kind: 'ok' }, 2],
	['getStatus', 'json', 1, 86_400, { kind: 'error', message: /^Too many requests/ }, 1],
	// Create refused with 429 goes again and creates one subaccount; refused every time, none.
	['create', 'json', 1, 0, { kind: 'ok' }, 2],
	['create', 'xml', 1, 0, { kind: 'ok' }, 2],
	['create', 'json', 5, 0, { kind: 'error', message: /^Too many requests/, code: 429 }, 5],
] as Array<[Op, Format, number, number | undefined, Outcome, number]>) {
	add({
		cls: '429 and retries',
		name: `${op} ${format}: ${count} × 429${retryAfterSeconds === undefined ? ' without Retry-After' : ` with Retry-After: ${retryAfterSeconds}`}`,
		parameters: withOptions(ops[op].parameters, {}, format),
		faults: { tooManyRequests: { count, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) } },
		outcome,
		requests,
		after: op === 'create' ? () => expect(subaccountCount()).toBe(outcome.kind === 'ok' ? 4 : 3) : undefined,
	});
}
for (const [label, faults] of [
	['HTTP 503', { httpStatus: 503 }],
	['an HTML 502', { htmlErrorPage: true }],
	['a random 500', { errorRate: 1 }],
] as const) {
	add({
		cls: '429 and retries',
		name: `create answered ${label}: sent once, never retried`,
		parameters: withOptions(ops.create.parameters),
		faults,
		outcome: { kind: 'error', message: /HTTP 50|MailPartner code 50/ },
		requests: 1,
		after: () => expect(subaccountCount()).toBe(3),
	});
}
const meJson = JSON.stringify(meAnswer());
add({
	cls: '429 and retries',
	name: 'getCredits: 503 then 200 is retried and succeeds',
	parameters: withOptions(ops.getCredits.parameters),
	nock: (scope) => scope.get('/v1/me').query(true).reply(503, '', { 'Retry-After': '0' }).get('/v1/me').query(true).reply(200, meJson),
	outcome: { kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('credits.creditMail', 2000) },
});
add({
	cls: '429 and retries',
	name: 'getCredits: 429 with an HTTP-date Retry-After in the past, then 200',
	parameters: withOptions(ops.getCredits.parameters),
	nock: (scope) => scope.get('/v1/me').query(true).reply(429, '', { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' }).get('/v1/me').query(true).reply(200, meJson),
	outcome: { kind: 'ok' },
});
add({
	cls: '429 and retries',
	name: 'getCredits: 429 with a garbage Retry-After, then 200',
	parameters: withOptions(ops.getCredits.parameters),
	nock: (scope) => scope.get('/v1/me').query(true).reply(429, '', { 'Retry-After': '-1; drop table' }).get('/v1/me').query(true).reply(200, meJson),
	outcome: { kind: 'ok' },
});
add({
	cls: '429 and retries',
	name: 'create: a POST answered 503 with Retry-After: 0 is not retried',
	parameters: withOptions(ops.create.parameters),
	nock: (scope) =>
		scope
			.post('/v1/subaccount/create').reply(503, '{"success":false,"code":503,"message":"x"}', { 'Retry-After': '0' })
			.post('/v1/subaccount/create').reply(200, JSON.stringify(createAnswer())),
	outcome: { kind: 'error', message: /MailPartner code 503/ },
	// The second answer is never asked for.
	nockLeft: 1,
});
add({
	cls: '429 and retries',
	name: 'getCredits: a reset connection (ECONNRESET) is a clear error',
	parameters: withOptions(ops.getCredits.parameters),
	nock: (scope) => scope.get('/v1/me').query(true).replyWithError(Object.assign(new Error(`socket hang up ${key}`), { code: 'ECONNRESET' })),
	outcome: { kind: 'error', message: /closed unexpectedly/ },
});
add({
	cls: '429 and retries',
	name: 'getCredits: an unknown network error whose words quote the URL with the key',
	parameters: withOptions(ops.getCredits.parameters),
	nock: (scope) => scope.get('/v1/me').query(true).replyWithError(Object.assign(new Error(`connect EWEIRD ${nockOrigin}/v1/me?apiKey=${encodeURIComponent(key)}`), { code: 'EWEIRD' })),
	outcome: { kind: 'error', message: /^The request to api\.mailpartner\.test failed \(EWEIRD\)$/ },
});

// =============================================================================================
// 9. List: absurd totals, short pages, null rows, rows that are not objects
// =============================================================================================

/** Stands for 10 000 nested lists, spliced into the body as text (JSON.stringify would overflow). */
const deepMarker = '@@deep@@';
const deepJson = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const deepXml = `${'<entry>'.repeat(10_000)}${'</entry>'.repeat(10_000)}`;
const listCases: Array<[string, Record<string, unknown>, Outcome, INodeParameters?, Outcome?]> = [
	['total 10^15 with Return All', { total: 1e15, data: rows(20) }, { kind: 'error', message: /^MailPartner reports 1000000000000000 subaccounts, more than Return All reads/ }],
	['total 10^15 with Limit 5', { total: 1e15, data: rows(20) }, { kind: 'ok', check: (outputs) => expect(outputs.map((o) => o.id)).toEqual([1, 2, 3, 4, 5]) }, { returnAll: false, limit: 5 }],
	['total 2^60', { total: 2 ** 60, data: rows(20) }, { kind: 'error', message: /has no valid total/ }],
	['total -1', { total: -1 }, { kind: 'error', message: /has no valid total/ }],
	['total 1.5', { total: 1.5 }, { kind: 'error', message: /has no valid total/ }],
	['total null', { total: null }, { kind: 'error', message: /has no valid total/ }],
	['total "3" as text', { total: '3' }, { kind: 'ok', check: (outputs) => expect(outputs).toHaveLength(3) }],
	['total "lots"', { total: 'lots' }, { kind: 'error', message: /at total: expected a number/ }],
	['no total', { total: undefined }, { kind: 'error', message: /at total: expected a number/ }],
	['nb_per_page 0', { nb_per_page: 0 }, { kind: 'error', message: /has no valid page size/ }],
	['nb_per_page -20', { nb_per_page: -20 }, { kind: 'error', message: /has no valid page size/ }],
	['nb_per_page 10^6', { nb_per_page: 1e6 }, { kind: 'error', message: /has no valid page size/ }],
	['nb_per_page null', { nb_per_page: null }, { kind: 'error', message: /has no valid page size/ }],
	['nb_per_page 2.5', { nb_per_page: 2.5 }, { kind: 'error', message: /has no valid page size/ }],
	['page 2 for page 1', { page: 2 }, { kind: 'error', message: /answered page 2 when page 1 was asked for/ }],
	['total 45 and no data', { total: 45, data: undefined }, { kind: 'error', message: /at data: expected a list, found nothing/ }],
	['data null', { data: null }, { kind: 'error', message: /at data: expected a list/ }],
	// In XML an object and a list are both nested entries: there it reads as a one-row page.
	['data an object', { data: { 0: row(1) } }, { kind: 'error', message: /at data: expected a list/ }, undefined, { kind: 'error', message: /holds 1 subaccounts where 3 were expected/ }],
	['a null row', { total: 1, data: [null] }, { kind: 'error', message: /at data\[0\]: expected an object/ }],
	['rows that are not objects', { total: 3, data: [1, 'x', []] }, { kind: 'error', message: /at data\[0\]: expected an object/ }],
	['a row whose id is text', { total: 1, data: [{ ...row(1), id: 'abc' }] }, { kind: 'error', message: /at data\[0\]\.id: expected a number/ }],
	['a row whose credits are text', { total: 1, data: [{ ...row(1), credits: 'none' }] }, { kind: 'error', message: /at data\[0\]\.credits: expected an object/ }],
	['a row whose balance has a decimal comma', { total: 1, data: [{ ...row(1), credits: { balance: '1,000', currency: 'EUR' } }] }, { kind: 'error', message: /at data\[0\]\.credits\.balance: expected a number/ }],
	['a row whose balance is text "1.000"', { total: 1, data: [row(1)] }, { kind: 'ok', check: (outputs) => expect(outputs[0]).toHaveProperty('credits', { balance: 1, currency: 'EUR' }) }],
	['a row with a deep extra field', { total: 1, data: [{ ...row(1), extra: deepMarker }] }, { kind: 'ok', check: (outputs) => expect(outputs[0]).not.toHaveProperty('extra') }, undefined, { kind: 'error', message: /could not be read|did not match the expected layout at data\[0\]: expected 7 values/ }],
	['a short page (3 of 20)', { total: 45, data: rows(3) }, { kind: 'error', message: /holds 3 subaccounts where 20 were expected \(45 in all, 20 a page\)/ }],
	['a long page (5 for a total of 2)', { total: 2, data: rows(5) }, { kind: 'error', message: /holds 5 subaccounts where 2 were expected/ }],
	['45 in all, the same page 1 answered for page 2', { total: 45, data: rows(20) }, { kind: 'error', message: /answered page 1 when page 2 was asked for/ }],
	['an empty list', { total: 0, data: [] }, { kind: 'ok', emptyOk: true, check: (outputs) => expect(outputs).toEqual([]) }],
];
for (const [label, fields, outcome, extra, xmlOnly] of listCases) {
	for (const format of ['json', 'xml'] as const) {
		const answer = listAnswer(fields);
		for (const name of Object.keys(answer)) if (answer[name] === undefined) delete answer[name];
		// XML has no field names: a missing field shifts the others, so only JSON says "nothing".
		// (XML also has no room for a field the shape leaves out: positions would shift.)
		const layout = /did not match the expected layout|not well-formed|could not be read/;
		const xmlOutcome: Outcome =
			xmlOnly ?? (outcome.kind === 'error' && /expected (a|an) /.test(outcome.message.source) ? { kind: 'error', message: layout } : outcome);
		add({
			cls: 'list sanity',
			name: `list ${format}: ${label}`,
			parameters: withOptions({ ...ops.list.parameters, ...(extra ?? {}) }, {}, format),
			faults: {
				answer: {
					status: 200,
					body: format === 'json' ? JSON.stringify(answer).replace(`"${deepMarker}"`, deepJson) : positionalXml(answer).replace(`<entry><![CDATA[${deepMarker}]]></entry>`, `<entry>${deepXml}</entry>`),
					path: '/subaccount/list',
				},
			},
			outcome: format === 'json' ? outcome : xmlOutcome,
		});
	}
}
const listPage = (page: number, total: number, data: IDataObject[]) => JSON.stringify({ ...ok, total, nb_per_page: 20, page, data });
add({
	cls: 'list sanity',
	name: 'list: page 2 short (5 of 20 for 45)',
	parameters: withOptions(ops.list.parameters),
	nock: (scope) =>
		scope
			.get('/v1/subaccount/list').query((q) => q.page === '1').reply(200, listPage(1, 45, rows(20)))
			.get('/v1/subaccount/list').query((q) => q.page === '2').reply(200, listPage(2, 45, rows(5, 21)))
			.get('/v1/subaccount/list').query((q) => q.page === '3').optionally().reply(200, listPage(3, 45, rows(5, 41))),
	outcome: { kind: 'error', message: /page 2 of subaccounts holds 5 subaccounts where 20 were expected/ },
});
add({
	cls: 'list sanity',
	name: 'list: the total changes between pages',
	parameters: withOptions(ops.list.parameters),
	nock: (scope) =>
		scope
			.get('/v1/subaccount/list').query((q) => q.page === '1').reply(200, listPage(1, 40, rows(20)))
			.get('/v1/subaccount/list').query((q) => q.page === '2').reply(200, listPage(2, 41, rows(20, 21))),
	outcome: { kind: 'error', message: /changed while it was read|holds 20 subaccounts where 21/ },
});
add({
	cls: 'list sanity',
	name: 'list: a null row on page 3',
	parameters: withOptions(ops.list.parameters),
	nock: (scope) =>
		scope
			.get('/v1/subaccount/list').query((q) => q.page === '1').reply(200, listPage(1, 45, rows(20)))
			.get('/v1/subaccount/list').query((q) => q.page === '2').reply(200, listPage(2, 45, rows(20, 21)))
			.get('/v1/subaccount/list').query((q) => q.page === '3').reply(200, JSON.stringify({ ...ok, total: 45, nb_per_page: 20, page: 3, data: [...rows(4, 41), null] })),
	outcome: { kind: 'error', message: /at data\[4\]: expected an object/ },
});
add({
	cls: 'list sanity',
	name: 'list: two items, one answered with an absurd total, Continue On Fail',
	parameters: withOptions({ ...ops.list.parameters, returnAll: false, limit: fromItem }),
	items: [{ v: 2 }, { v: 50 }],
	nock: (scope) =>
		scope
			.get('/v1/subaccount/list').query(true).reply(200, listPage(1, 3, rows(3)))
			.get('/v1/subaccount/list').query(true).reply(200, listPage(1, 1e15, rows(7))),
	outcome: (index) => (index === 0 ? { kind: 'ok', check: (outputs) => expect(outputs).toHaveLength(2) } : { kind: 'error', message: /holds 7 subaccounts where 20 were expected/ }),
});

const recipient = (index: number) => ({ email: `r${index}@example.com`, token: `t${index}`, status: 'Delivered', cost: 1, stopMail: false, date: '1735689600' });
const statusCases: Array<[string, Record<string, unknown>, Outcome]> = [
	['no recipient list', { ...ok, messageId: '1001' }, { kind: 'error', message: /did not match the expected layout at StatutResponseList/ }],
	['a null recipient list', { ...ok, messageId: '1001', StatutResponseList: null }, { kind: 'error', message: /did not match the expected layout at StatutResponseList/ }],
	['a null recipient', { ...ok, messageId: '1001', StatutResponseList: [recipient(1), null] }, { kind: 'error', message: /did not match the expected layout at StatutResponseList\[1\]/ }],
	['recipients that are not objects', { ...ok, messageId: '1001', StatutResponseList: ['x', 1] }, { kind: 'error', message: /did not match the expected layout at StatutResponseList\[0\]/ }],
	['a cost as text', { ...ok, messageId: '1001', StatutResponseList: [{ ...recipient(1), cost: 'free' }] }, { kind: 'error', message: /StatutResponseList\[0\]\.cost: expected a number/ }],
	['5 000 recipients', { ...ok, messageId: '1001', StatutResponseList: Array.from({ length: 5000 }, (_, index) => recipient(index)) }, { kind: 'ok', check: (outputs) => expect(outputs.length === 1 || outputs.length === 5000).toBe(true) }],
	// With Simplify (one item per recipient) an empty report gives no item for its input.
	['an empty recipient list', { ...ok, messageId: '1001', StatutResponseList: [] }, { kind: 'ok', emptyOk: true }],
];
for (const [label, answer, outcome] of statusCases) {
	for (const format of ['json', 'xml'] as const) {
		add({
			cls: 'list sanity',
			name: `getStatus ${format}: ${label}`,
			parameters: withOptions(ops.getStatus.parameters, {}, format),
			faults: { answer: { status: 200, body: format === 'json' ? JSON.stringify(answer) : positionalXml(answer), path: '/bulk-status' } },
			// XML has no names: a missing list reads as "nothing" at the same place.
			outcome: format === 'xml' && outcome.kind === 'error' ? { kind: 'error', message: /did not match the expected layout/ } : outcome,
			requests: 1,
		});
	}
}

// =============================================================================================
// 10. Load with faults: 5 000 Get Status items, 5 % failing, Continue On Fail
// =============================================================================================

const loadItems = 5000;
const failsAt = (index: number) => index % 20 === 7;
add({
	cls: 'load',
	name: `${loadItems} Get Status items, 5 % not found, 5 % of requests answered 500 (retried), 16 in flight`,
	parameters: withOptions({ ...ops.getStatus.parameters, messageId: fromItem }, { itemsInFlight: 16, requestsPerMinute: 0 }),
	items: Array.from({ length: loadItems }, (_, index) => ({ v: failsAt(index) ? '4040404' : '1001' })),
	// errorRate answers without Retry-After: the backoff (0.5 s, then 1 s) is what a real outage gets.
	faults: { errorRate: 0.05, seed: 6 },
	outcome: (index) =>
		failsAt(index)
			? { kind: 'error', message: /^Message not found \(MailPartner code 4: Message introuvable\)$/, code: 4 }
			: { kind: 'ok', check: (outputs) => expect(outputs[0].messageId).toBe('1001') },
});

// =============================================================================================

describe('hostile conditions', () => {
	for (const c of cases) {
		it(`${c.cls}: ${c.name}`, async () => {
			// Substituted here, where the catcher listens: bodies that point at "another host".
			if (c.faults?.answer) {
				const answer = c.faults.answer as { body: string };
				answer.body = answer.body.replace(/CATCHER/g, catcher.baseUrl as unknown as string);
			}
			if (c.faults?.redirect) {
				const redirect = c.faults.redirect as { to: string };
				redirect.to = redirect.to.replace(/^CATCHER/, catcher.baseUrl as unknown as string);
			}
			const { result, requests, nockLeft, tally } = await runCase(c);
			expect({ crash: tally.crash, lost: tally.lost, leak: tally.leak }).toEqual({ crash: [], lost: [], leak: [] });
			expectOutcome(c, result);
			if (c.requests !== undefined && !c.nock) expect({ requests }).toEqual({ requests: c.requests });
			if (c.nock) expect({ nockLeft }).toEqual({ nockLeft: c.nockLeft ?? 0 });
			// Another host never hears from the node (it would only if a redirect were followed).
			expect(catcher.requests).toEqual([]);
			c.after?.(result);
		});
	}

	it('the console capture sees what n8n prints (so its leak check can fail)', async () => {
		takeOutput();
		sandbox.setFaults({ forceError: { code: 4, message: 'visible-in-the-console', path: '/bulk-status' } });
		await runNode({ parameters: withOptions(ops.getStatus.parameters), credentials: { apiKey: key, baseUrl: sandboxUrl } });
		expect(takeOutput()).toContain('visible-in-the-console');
		// And the leak finder finds the key in each spelling it claims to.
		for (const spelling of [key, encodeURIComponent(key), [...key].map((char) => `&#${char.codePointAt(0)};`).join(''), JSON.stringify(key).slice(1, -1).replace('/', '\\/')]) {
			expect(keyIn(`x ${spelling} y`)).toBeDefined();
		}
		expect(keyIn(runText({ ok: 'hostile@sandbox.mailpartner.invalid', token: 'hostile-token1' }))).toBeUndefined();
	});

	it('totals: at least 150 cases, no crash, nothing lost, no leak', () => {
		const count = (field: 'crash' | 'lost' | 'leak') => tallies.filter((tally) => tally[field].length > 0).length;
		expect(tallies.length).toBeGreaterThanOrEqual(150);
		expect({ crashes: count('crash'), lost: count('lost'), leaks: count('leak') }).toEqual({ crashes: 0, lost: 0, leaks: 0 });
	});
});
