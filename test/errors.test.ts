import nock from 'nock';

import { runNode } from './harness/engine';
import { credentials, documentedErrors, failureJson, failureXml, origin } from './harness/fixtures';
import { expectNoApiKey } from './harness/leaks';
import { operations, withFormat, type Format, type OperationName } from './harness/operations';

/**
 * Every documented code of every operation, in JSON and in XML, with HTTP 200 (MailPartner's
 * `success:false` on a 200) and with an HTTP error status: the user always reads the English
 * meaning, the code, and MailPartner's own words.
 */

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

// Written out here rather than imported, so that a change to the node's table shows up as a failure.
const englishMeaning: Record<OperationName, Record<number, string>> = {
	getCredits: { 10: 'Invalid API key' },
	listSubaccounts: { 1: 'API key is missing', 10: 'Invalid API key' },
	createSubaccount: {
		1: 'API key is missing',
		2: 'A mobile phone number is required',
		3: 'Is Buyer is required for an advanced subaccount',
		4: 'Subaccount type is required (simple or advanced)',
		5: 'Unknown subaccount type (use simple or advanced)',
		6: 'Email is required for an advanced subaccount',
		7: 'An account already exists with this email',
		8: 'Credit To Attribute must be greater than 0',
		9: 'Your main account balance must be greater than 0',
	},
	getStatus: {
		1: 'API key is missing',
		3: 'Message ID is required',
		4: 'Message not found',
		10: 'Invalid API key',
	},
	// The error-code page's "Envoi de Mail" table (docs/mailpartner-api.md#send).
	send: {
		1: 'API key is missing',
		2: 'The mail’s content is required',
		3: 'API key is missing',
		4: 'The sender e-mail is required',
		5: 'The sender name cannot be empty',
		8: 'An attachment has no content',
		9: 'This attachment’s file type is not allowed',
		10: 'Invalid API key',
		11: 'Not enough credit for this send',
		14: 'A recipient is on the unsubscribe list',
		15: 'A recipient is already in the sending list',
		16: 'An attachment has no name',
		17: 'Too many recipients',
		18: 'A recipient’s e-mail is required',
		19: 'A recipient’s e-mail looks invalid',
		20: 'The MailPartner account is disabled',
		21: 'A recipient’s name cannot be empty',
		22: 'The recipient list is required',
		23: 'The reply-to e-mail is required',
		24: 'The reply-to e-mail looks invalid',
		25: 'The reply-to name cannot be empty',
		30: 'The MailPartner account is blocked',
		40: 'API access is refused for this account',
		45: 'The scheduled date is required',
		46: 'The scheduled hour is required',
		47: 'The scheduled minute is invalid',
		48: 'The scheduled minute must be a multiple of 5',
		49: 'The scheduled date is invalid',
		50: 'At most 500 recipients per send',
		55: 'MailPartner found no price for this send',
		90: 'MailPartner could not read the request (malformed JSON)',
		96: 'MailPartner does not accept requests from this IP address',
		429: 'Too many requests: MailPartner allows 2 000 a minute per IP address',
		500: 'MailPartner could not queue the mail',
	},
	cancel: {
		1: 'API key is missing',
		3: 'Message ID is required',
		4: 'Message not found',
		5: 'This send was already cancelled',
		6: 'Too late to cancel: the send starts in less than 5 minutes',
		7: 'Too late to cancel: this mail was already sent',
		10: 'Invalid API key',
	},
};

const cases = (Object.keys(documentedErrors) as OperationName[]).flatMap((operation) =>
	Object.entries(documentedErrors[operation]).flatMap(([code, french]) =>
		(['json', 'xml'] as Format[]).flatMap((format) =>
			[200, code === '4' && operation === 'getStatus' ? 404 : 400].map(
				(status) => [operation, Number(code), french, format, status] as const,
			),
		),
	),
);

describe('documented MailPartner errors', () => {
	it.each(cases)('%s code %i (%s) in %s with HTTP %i', async (operation, code, french, format, status) => {
		const { method, path, parameters } = operations[operation];
		const body = format === 'json' ? failureJson(code, french) : failureXml(code, french);
		const scope = nock(origin)
			.intercept(path, method)
			.query(true)
			.reply(status, body);
		const result = await runNode({ parameters: withFormat(parameters, format), credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe(`${englishMeaning[operation][code]} (MailPartner code ${code}: ${french})`);
		expect(result.error?.description).toBeTruthy();
		// The editor's error panel shows httpCode as "Error code": MailPartner's code, the HTTP status in the description.
		expect(result.error).toMatchObject({ httpCode: String(code) });
		expect(result.error?.description).toContain(`HTTP ${status}`);
		expectNoApiKey(result.run);
	});

	it('an undocumented code still names the code and MailPartner’s words', async () => {
		nock(origin).get('/v1/me').query(true).reply(200, failureJson(42, 'Erreur inconnue'));
		const result = await runNode({ parameters: operations.getCredits.parameters, credentials });
		expect(result.error?.message).toBe('MailPartner refused the request (MailPartner code 42: Erreur inconnue)');
	});
});
