import { DateTime } from 'luxon';
import nock from 'nock';
import { WorkflowExpression, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeParameters, type INodeType } from 'n8n-workflow';

import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import { itemParameter } from '../nodes/MailPartner/lib/parameter';
import { runNode } from './harness/engine';
import { credentials, origin } from './harness/fixtures';

/**
 * The `{{ $json.field }}` shortcut against n8n itself: for each form of a parameter and each item
 * value, a test-only node run by n8n's engine reads the parameter with `getNodeParameter` in one
 * execution and with `itemParameter` in another, on the same item. The results must be the same
 * value of the same type, or the same error; and each row says whether the shortcut answers from
 * the item itself or hands the read to n8n, so a shortcut that never serves would fail too.
 */

type Outcome = { value: unknown } | { error: string };

interface Reading {
	outcome: Outcome;
	/** How many times this read reached n8n's evaluation of the parameter. */
	evaluations: number;
}

function attempt(read: () => unknown): Outcome {
	try {
		return { value: read() };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/** The node's context, counting reads of the parameter: evaluated by n8n, or as saved (raw). */
function counting(target: IExecuteFunctions) {
	const counts = { evaluations: 0, rawReads: 0 };
	const context = new Proxy(target, {
		get(context, property) {
			if (property === 'getNodeParameter') {
				return (...args: Parameters<IExecuteFunctions['getNodeParameter']>) => {
					if ((args[3] as { rawExpressions?: boolean } | undefined)?.rawExpressions) counts.rawReads++;
					else counts.evaluations++;
					return context.getNodeParameter(...args);
				};
			}
			const value: unknown = Reflect.get(context, property, context);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(context) : value;
		},
	});
	return { context, counts };
}

type Reader = 'n8n' | 'shortcut';

interface Execution {
	readings: Reading[];
	/** Reads of the saved expression in the whole execution (the shortcut's parse). */
	rawReads: number;
}

/** A node whose execute() reads parameter `name` for each item the way `reader` says, and records it. */
function probeNode(reader: Reader, execution: Execution, name: string): INodeType {
	return {
		description: {
			displayName: 'Parameter Probe',
			name: 'parameterProbe',
			group: ['transform'],
			version: 1,
			description: 'Test-only: reads one parameter per item',
			defaults: { name: 'Parameter Probe' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				{
					// Shaped like Send's Additional Fields → Variables.
					displayName: 'Fields',
					name: 'fields',
					type: 'collection',
					default: {},
					options: [
						{
							displayName: 'Variables',
							name: 'variables',
							type: 'fixedCollection',
							typeOptions: { multipleValues: true },
							default: {},
							options: [
								{
									displayName: 'Variable',
									name: 'variable',
									values: [
										{ displayName: 'Name', name: 'name', type: 'string', default: '' },
										{ displayName: 'Value', name: 'value', type: 'string', default: '' },
									],
								},
							],
						},
					],
				},
			],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const { context, counts } = counting(this);
			const items = this.getInputData();
			items.forEach((_item, itemIndex) => {
				const before = counts.evaluations;
				const outcome = attempt(() =>
					reader === 'n8n' ? context.getNodeParameter(name, itemIndex, '') : itemParameter(context, name, itemIndex, ''),
				);
				execution.readings.push({ outcome, evaluations: counts.evaluations - before });
			});
			execution.rawReads = counts.rawReads;
			return [items];
		},
	};
}

/**
 * Runs the probe node through n8n's engine over `items`, reading parameter `name` (`value` by
 * default, set to `parameters` when that is a string).
 */
async function read(reader: Reader, parameters: string | INodeParameters, items: IDataObject[], name = 'value'): Promise<Execution> {
	const execution: Execution = { readings: [], rawReads: 0 };
	const result = await runNode({
		parameters: typeof parameters === 'string' ? { value: parameters } : parameters,
		items,
		credentials,
		nodeType: probeNode(reader, execution, name),
	});
	expect(result.error).toBeUndefined();
	expect(execution.readings).toHaveLength(items.length);
	return execution;
}

/** A value as a test title shows it (JSON would show NaN and -0 as null and 0, a DateTime as a string). */
function show(value: unknown): string {
	if (DateTime.isDateTime(value)) return `DateTime(${value.toISO() ?? 'invalid'})`;
	if (value instanceof Date) return `Date(${value.toISOString()})`;
	if (typeof value === 'bigint') return `${value}n`;
	if (typeof value === 'function') return 'a function';
	if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
	if (value === undefined) return 'undefined';
	if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
	if (typeof value === 'object' && value !== null) {
		return `{${Object.entries(value).map(([key, field]) => `${JSON.stringify(key)}: ${show(field)}`).join(', ')}}`;
	}
	return JSON.stringify(value);
}

interface Row {
	form: string;
	/** The item's json, built afresh for each run (n8n may change objects it returns). */
	json: () => IDataObject;
	/** Whether the shortcut answers from the item (true) or hands the read to n8n (false). */
	served: boolean;
}

const dateTime = () => DateTime.fromISO('2026-03-01T09:30:00.000Z', { zone: 'Europe/Paris' });
const date = () => new Date('2026-03-01T09:30:00.000Z');

const rows: Row[] = [
	{ form: '={{ $json.a }}', json: () => ({ a: 'ada@example.com' }), served: true },
	{ form: '={{$json.a}}', json: () => ({ a: 'text' }), served: true },
	{ form: '={{   $json.a   }}', json: () => ({ a: 'text' }), served: true },
	{ form: '={{ $json["a"] }}', json: () => ({ a: 'text' }), served: true },
	{ form: "={{ $json['a'] }}", json: () => ({ a: 'text' }), served: true },
	{ form: '={{ $json["a b-c.d"] }}', json: () => ({ 'a b-c.d': 'text' }), served: true },
	{ form: '={{ $json.a }}\n', json: () => ({ a: 'text' }), served: false },
	{ form: '={{ $json.a }}\n', json: () => ({ a: 300 }), served: false },
	{ form: '={{ $json.a }} ', json: () => ({ a: 300 }), served: false },
	{ form: '= {{ $json.a }}', json: () => ({ a: 300 }), served: false },
	{ form: '={{\t$json.a\t}}', json: () => ({ a: 300 }), served: false },
	{ form: '={{\n$json.a\n}}', json: () => ({ a: 300 }), served: false },
	{ form: '={{ $json. a }}', json: () => ({ a: 300 }), served: false },
	{ form: '={{ $json[ "a" ] }}', json: () => ({ a: 300 }), served: false },
	{ form: '{{ $json.a }}', json: () => ({ a: 300 }), served: false },
	{ form: '={{ $json.a.b }}', json: () => ({ a: { b: 'text' } }), served: false },
	{ form: '={{ $json.a.b }}', json: () => ({}), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: [300] }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: [] }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: ['a', 'b'] }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: { email: 'ada@example.com', name: 'Ada' } }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: { when: dateTime() } }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: 0 }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: -1 }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: 1.5 }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: -0 }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: Number.NaN }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: 2 ** 64 }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: true }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: false }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: null }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: '' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: '  padded\n' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: undefined }), served: true },
	{ form: '={{ $json.a }}', json: () => ({}), served: true },
	{ form: '={{ $json["missing"] }}', json: () => ({}), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: '{{ $json.b }}', b: 'other' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: '={{ $json.b }}', b: 'other' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: dateTime() }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: date() }), served: false },
	{ form: '={{ $json.a }}', json: () => ({ a: BigInt(300) as unknown as number }), served: false },
	{ form: '={{ $json.a }}{{ $json.b }}', json: () => ({ a: 'x', b: 'y' }), served: false },
	{ form: '={{ $json.a }} {{ $json.b }}', json: () => ({ a: 'x', b: 'y' }), served: false },
	{ form: '={{ $json["x}}y"] }}', json: () => ({ 'x}}y': 'text' }), served: false },
	{ form: '={{ $json["x{{y"] }}', json: () => ({ 'x{{y': 'text' }), served: false },
	{ form: '={{ $json["a\\"b"] }}', json: () => ({ 'a"b': 'text' }), served: false },
	{ form: '={{ $json["a\nb"] }}', json: () => ({ 'a\nb': 'text' }), served: false },
	{ form: '={{ $json[""] }}', json: () => ({ '': 'text' }), served: false },
	{ form: '={{ $json.constructor }}', json: () => ({}), served: false },
	{ form: '={{ $json.constructor }}', json: () => ({ constructor: 'text' }), served: false },
	{ form: '={{ $json.constructorName }}', json: () => ({ constructorName: 'text' }), served: false },
	{ form: '={{ $json["x.constructor"] }}', json: () => ({ 'x.constructor': 'text' }), served: false },
	{ form: '={{ $json["constructor"] }}', json: () => ({}), served: false },
	{ form: '={{ $json["__proto__"] }}', json: () => ({}), served: false },
	{ form: '={{ $json.__proto__ }}', json: () => ({}), served: false },
	{ form: '={{ $json.prototype }}', json: () => ({ prototype: 'text' }), served: false },
	{ form: '={{ $json.caller }}', json: () => ({ caller: 'text' }), served: false },
	{ form: '={{ $json.toString }}', json: () => ({}), served: false },
	{ form: '={{ $json.toString }}', json: () => ({ toString: 'text' }), served: true },
	{ form: '={{ $json.hasOwnProperty }}', json: () => ({}), served: false },
	{ form: '={{ $json["valueOf"] }}', json: () => ({}), served: false },
	{ form: '={{ $json.$ }}', json: () => ({ $: 'text' }), served: true },
	{ form: '={{ $json.if }}', json: () => ({ if: 'text' }), served: true },
	{ form: '={{ $json["0"] }}', json: () => ({ 0: 'text' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: 'a }} b {{ c' }), served: true },
	{ form: '={{ $json.a }}', json: () => ({ a: () => 'text' }), served: false },
];

describe('the {{ $json.field }} shortcut against n8n’s getNodeParameter', () => {
	it.each(rows.map((row) => [row.form, show(row.json()), row]))('%j on %s', async (_form, _json, row) => {
		// Separate executions on fresh items: n8n changes some objects it returns (DateTimes inside).
		const [n8n] = (await read('n8n', row.form, [row.json()])).readings;
		const [shortcut] = (await read('shortcut', row.form, [row.json()])).readings;
		expect(shortcut.outcome).toStrictEqual(n8n.outcome);
		expect(shortcut.evaluations).toBe(row.served ? 0 : 1);
	});

	it('parses the expression once per execution, and serves or declines item by item', async () => {
		const values: unknown[] = ['ada@example.com', 7, undefined, [300], null, { when: dateTime() }, 'grace@example.com'];
		const items = () => values.map((a) => (a === undefined ? {} : { a }));
		const n8n = await read('n8n', '={{ $json.a }}', items());
		const shortcut = await read('shortcut', '={{ $json.a }}', items());
		expect(shortcut.readings.map(({ outcome }) => outcome)).toStrictEqual(n8n.readings.map(({ outcome }) => outcome));
		expect(shortcut.readings.map(({ evaluations }) => evaluations)).toEqual([0, 0, 0, 1, 0, 1, 0]);
		expect(shortcut.rawReads).toBe(1);
	});

	it('hands every item of a form it does not serve to n8n', async () => {
		const shortcut = await read('shortcut', '={{ $json.a }} and more', [{ a: 1 }, { a: 2 }]);
		expect(shortcut.readings.map(({ outcome }) => outcome)).toStrictEqual([{ value: '1 and more' }, { value: '2 and more' }]);
		expect(shortcut.readings.map(({ evaluations }) => evaluations)).toEqual([1, 1]);
		expect(shortcut.rawReads).toBe(1);
	});
});

describe('the shortcut on a parameter inside a collection (Send’s Variables)', () => {
	const withVariable = (value: string): INodeParameters => ({ fields: { variables: { variable: [{ name: 'firstname', value }] } } });
	it.each<[string, string, IDataObject, boolean]>([
		['fields.variables.variable[0].value', '={{ $json.first }}', { first: 'Ada' }, true],
		['fields.variables.variable[0].value', '={{ $json.first }}', {}, true],
		['fields.variables.variable[0].value', '={{ $json.first }}', { first: ['Ada'] }, false],
		['fields.variables.variable[0].value', '={{ $json.first }}!', { first: 'Ada' }, false],
		['fields.variables.variable[1].value', '={{ $json.first }}', { first: 'Ada' }, false],
		['fields.variables.variable', '={{ $json.first }}', { first: 'Ada' }, false],
	])('%s with %j on %j', async (path, value, json, served) => {
		const [n8n] = (await read('n8n', withVariable(value), [json], path)).readings;
		const [shortcut] = (await read('shortcut', withVariable(value), [json], path)).readings;
		expect(shortcut.outcome).toStrictEqual(n8n.outcome);
		expect(shortcut.evaluations).toBe(served ? 0 : 1);
	});
});

describe('the MailPartner node and the shortcut', () => {
	// n8n checks a field's `validateType` after evaluating it; the shortcut does not, so it is only
	// right for fields without one. None of the node's fields has one today.
	it('has no field with validateType', () => {
		const withValidateType: string[] = [];
		const visit = (entries: unknown[] | undefined) =>
			entries?.forEach((entry) => {
				const field = entry as { name?: string; validateType?: unknown; options?: unknown[]; values?: unknown[] };
				if (field.validateType !== undefined) withValidateType.push(String(field.name));
				visit(field.options);
				visit(field.values);
			});
		visit(new MailPartner().description.properties);
		expect(withValidateType).toEqual([]);
	});
});

describe('Message → Send reads every per-item parameter through the shortcut', () => {
	afterEach(() => {
		nock.cleanAll();
		jest.restoreAllMocks();
	});

	/** Runs Send (one send per item) on 3 items; the bodies MailPartner received, and n8n's evaluations of a `$json` parameter. */
	async function sendThree(subject: string) {
		const bodies: IDataObject[] = [];
		nock(origin)
			.post('/v1/send', (body: IDataObject) => bodies.push(body) > 0)
			.times(3)
			.reply(200, () => JSON.stringify({ success: true, code: 200, messageId: String(300 + bodies.length), nbMail: 1, cost: 0.05, currency: 'EUR', scheduledDeliveryDate: null }));
		// n8n evaluates every parameter through WorkflowExpression.getParameterValue (literals too):
		// counted here are the calls on a value that reads the item (`$json`).
		const evaluate = jest.spyOn(WorkflowExpression.prototype, 'getParameterValue');
		const items = ['Ada', 'Grace', 'Linus'].map((first, index) => ({ first, subject: `Hello ${first}`, html: `<p>${index}</p>`, email: `${first.toLowerCase()}@example.com`, reply: `reply${index}@example.com`, sandbox: index === 1 }));
		const result = await runNode({
			parameters: {
				resource: 'message',
				operation: 'send',
				subject,
				htmlContent: '={{ $json.html }}',
				to: '={{ $json.email }}',
				sandbox: '={{ $json.sandbox }}',
				additionalFields: { replyToEmail: '={{ $json["reply"] }}', variables: { variable: [{ name: 'firstname', value: '={{ $json.first }}' }] } },
			},
			items,
			credentials,
		});
		const itemReads = evaluate.mock.calls.filter(([value]) => JSON.stringify(value ?? null).includes('$json')).length;
		return { result, bodies, itemReads };
	}

	it('3 items give 3 subjects, contents, recipients, reply-tos and variables, with no expression evaluated by n8n', async () => {
		const { result, bodies, itemReads } = await sendThree('={{ $json.subject }}');
		expect(result.error).toBeUndefined();
		expect(bodies.map(({ subject, htmlContent, sandbox, replyTo, variables, params }) => ({ subject, htmlContent, sandbox, replyTo, variables, params }))).toEqual(
			['Ada', 'Grace', 'Linus'].map((first, index) => ({
				subject: `Hello ${first}`,
				htmlContent: `<p>${index}</p>`,
				sandbox: index === 1 ? 1 : 0,
				replyTo: { email: `reply${index}@example.com` },
				variables: { firstname: first },
				params: { to: [{ email: `${first.toLowerCase()}@example.com` }] },
			})),
		);
		expect(itemReads).toBe(0);
	});

	it('an expression that is not the shortcut’s form goes through n8n, once per item (the count can see it)', async () => {
		const { result, bodies, itemReads } = await sendThree('={{ $json.subject + "!" }}');
		expect(result.error).toBeUndefined();
		expect(bodies.map(({ subject }) => subject)).toEqual(['Hello Ada!', 'Hello Grace!', 'Hello Linus!']);
		expect(itemReads).toBe(3);
	});
});
