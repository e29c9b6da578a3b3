import { decodeAnswer } from '../nodes/MailPartner/lib/decode';
import { getCreditsShape } from '../nodes/MailPartner/resources/account/getCredits';
import { getStatusShape } from '../nodes/MailPartner/resources/message/getStatus';
import { createShape } from '../nodes/MailPartner/resources/subaccount/create';
import { listPageShape } from '../nodes/MailPartner/resources/subaccount/getAll';
import { pageJson, pageSample, subaccounts, listPage, toPositionalXml } from './harness/fixtures';

/** The decoder on its own: every sample of the published pages, and every way an answer breaks. */

describe('the pages’ XML samples decode to the JSON samples’ shape', () => {
	it('reads Get Credits, including the named <username> child', () => {
		expect(decodeAnswer(pageSample('me.xml'), getCreditsShape)).toEqual({
			kind: 'success',
			// The page's XML sample was taken at another moment than its JSON twin: same shape,
			// other figures.
			payload: {
				user: pageJson('me.json').user,
				credits: { creditMail: 269070, currency: 'EUR', balance: 10224.688 },
			},
		});
	});

	it.each([
		['create.xml', 'create.json', createShape],
		['status.xml', 'status.json', getStatusShape],
	])('reads %s exactly as %s', (xmlName, jsonName, shape) => {
		const fromXml = decodeAnswer(pageSample(xmlName), shape);
		const fromJson = decodeAnswer(pageSample(jsonName), shape);
		expect(fromXml).toEqual(fromJson);
		expect(fromXml.kind).toBe('success');
	});

	it('keeps the date a string and the cost a number, as the JSON gives them', () => {
		const answer = decodeAnswer(pageSample('status.xml'), getStatusShape);
		const [first] = answer.kind === 'success' ? (answer.payload.StatutResponseList as object[]) : [];
		expect(first).toMatchObject({ date: '1599061044', cost: 1, stopMail: true });
	});

	it.each(['error-10.xml', 'error-10-status.xml', 'error-10.json'])('reads the failure %s', (name) => {
		expect(decodeAnswer(pageSample(name), getStatusShape)).toEqual({
			kind: 'failure',
			code: 10,
			message: 'Clé API incorrecte',
			details: [],
		});
	});
});

describe('the list XML sample, which does not match its JSON twin', () => {
	it('is refused as published: it has no <result> opening tag', () => {
		const answer = decodeAnswer(pageSample('list.xml'), listPageShape);
		expect(answer).toMatchObject({ kind: 'unreadable', unusableXml: true });
		expect(answer.kind === 'unreadable' && answer.reason).toMatch(/XML answer is not well-formed/);
	});

	it('is refused with its root restored, naming where it stops fitting, and mislabels nothing', () => {
		const repaired = pageSample('list.xml').replace('?>', '?>\n<result>');
		const answer = decodeAnswer(repaired, listPageShape);
		expect(answer).toEqual(
			expect.objectContaining({
				kind: 'unreadable',
				unusableXml: true,
				reason: expect.stringContaining(
					'at data[0]: expected 7 values (id, email, type, token, apiKey, createdAt, credits), found 4',
				),
			}),
		);
	});

	it('reads a list page laid out like its JSON twin', () => {
		const page = pageJson('list.json');
		expect(decodeAnswer(toPositionalXml(page), listPageShape)).toEqual(
			decodeAnswer(JSON.stringify(page), listPageShape),
		);
	});
});

describe('positional XML rules', () => {
	it('maps xsi:nil to null, and an empty list to []', () => {
		const page = { ...listPage(subaccounts(1), 1), data: [{ ...subaccounts(1)[0], token: null }] };
		const answer = decodeAnswer(toPositionalXml(page), listPageShape);
		expect(answer).toMatchObject({ payload: { data: [{ token: null, id: 1 }] } });
		const empty = decodeAnswer(toPositionalXml(listPage([], 1)), listPageShape);
		expect(empty).toEqual({ kind: 'success', payload: { total: 0, nb_per_page: 20, page: 1, data: [] } });
	});

	it('never guesses a type: "007" stays text, a word is no number', () => {
		const answer = { success: true, code: 200, subaccount: { email: '007', token: '0012' }, sendConfirmMailTo: 'a', parent_email: 'b' };
		expect(decodeAnswer(toPositionalXml(answer), createShape)).toMatchObject({
			payload: { subaccount: { email: '007', token: '0012' } },
		});
		const wrongNumber = toPositionalXml({ success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 'many', currency: 'EUR', balance: '1' } });
		expect(decodeAnswer(wrongNumber, getCreditsShape)).toMatchObject({
			kind: 'unreadable',
			unusableXml: true,
			reason: expect.stringContaining('at credits.creditMail: expected a number, found "many"'),
		});
	});

	it('refuses an answer with a value too many or too few', () => {
		const extra = toPositionalXml({ success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 1, currency: 'EUR', balance: '1', more: 'x' } });
		expect(decodeAnswer(extra, getCreditsShape)).toMatchObject({
			reason: expect.stringContaining('at credits: expected 3 values (creditMail, currency, balance), found 4'),
		});
		const missing = toPositionalXml({ success: true, code: 200, user: { username: 'u' } });
		expect(decodeAnswer(missing, getCreditsShape)).toMatchObject({
			reason: expect.stringContaining('at the answer: expected 4 values'),
		});
	});

	it('refuses a named element that is not the field it stands in for', () => {
		const xml = pageSample('me.xml').replace(/username>/g, 'login>');
		expect(decodeAnswer(xml, getCreditsShape)).toMatchObject({
			reason: expect.stringContaining('at user.username: expected <entry> or <username>, found <login>'),
		});
	});

	it('decodes the XML entities of plain text', () => {
		const xml = toPositionalXml({ success: false, code: 7, message: 'x' }).replace(
			'<![CDATA[x]]>',
			'Tom &amp; Jerry &lt;3',
		);
		expect(decodeAnswer(xml, createShape)).toEqual({ kind: 'failure', code: 7, message: 'Tom & Jerry <3', details: [] });
	});

	it('refuses a nil success rather than reading it as a success', () => {
		const xml = toPositionalXml({ success: null, code: 200, user: { username: 'u' }, credits: { creditMail: 1, currency: 'EUR', balance: '1' } });
		expect(decodeAnswer(xml, getCreditsShape)).toMatchObject({ kind: 'unreadable', unusableXml: true });
	});

	it('turns what the XML parser refuses into an unreadable answer, not an exception', () => {
		const xml = '<?xml version="1.0"?><!DOCTYPE result [<!ENTITY x SYSTEM "file:///etc/passwd">]><result><entry>&x;</entry></result>';
		expect(decodeAnswer(xml, getCreditsShape).kind).toBe('unreadable');
	});
});

describe('failures', () => {
	it('keep the per-field details of a validation failure', () => {
		const body = JSON.stringify({ success: false, code: 6, message: "L'email est requis", error: [{ elementId: 'email', message: 'obligatoire' }] });
		expect(decodeAnswer(body, createShape)).toEqual({ kind: 'failure', code: 6, message: "L'email est requis", details: ['email: obligatoire'] });
	});

	it('say when there is no code, and write a non-text message as text', () => {
		expect(decodeAnswer('{"success":false,"message":{"fr":"erreur"}}', createShape)).toEqual({
			kind: 'failure',
			code: undefined,
			message: '{"fr":"erreur"}',
			details: [],
		});
	});
});

describe('bodies that are not MailPartner answers', () => {
	it.each([
		['an empty body', '   ', /empty answer/],
		['an HTML page', '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body></body></html>', /HTML page/],
		['an HTML page without doctype', '<html><body>Maintenance</body></html>', /HTML page/],
		['truncated JSON', pageSample('me.json').slice(0, 60), /JSON answer is incomplete or malformed/],
		['truncated XML', pageSample('status.xml').slice(0, 200), /XML answer is not well-formed/],
		['plain text', 'Service Unavailable', /neither JSON nor XML/],
		['JSON that is not an envelope', '{"error":"nope"}', /no "success" field/],
		['XML with another root', '<?xml version="1.0"?><error>x</error>', /expected one <result> root, found <error>/],
	])('%s is unreadable, with the reason', (_name, body, reason) => {
		const answer = decodeAnswer(body, getCreditsShape);
		expect(answer.kind).toBe('unreadable');
		expect(answer.kind === 'unreadable' && answer.reason).toMatch(reason);
	});
});
