/**
 * How a MailPartner code reads in English. The codes overlap between calls with different
 * meanings (3 is "isBuyer required" on subaccount creation and "messageId required" on the
 * delivery status), so each operation keeps its own table next to its request; this file holds
 * the codes the error-code page gives for every call, and the wording.
 */

interface ErrorText {
	message: string;
	/** What the user can do about it. */
	hint: string;
}

export type ErrorTable = Readonly<Record<number, ErrorText>>;

const checkCredential = 'Check the API key in the MailPartner credential.';

/** Codes of MailPartner's error-code page that any call can get (docs/mailpartner-api.md#codes-every-call-can-get). */
const commonErrors: ErrorTable = {
	1: { message: 'API key is missing', hint: checkCredential },
	10: { message: 'Invalid API key', hint: checkCredential },
	20: { message: 'The MailPartner account is disabled', hint: 'Contact MailPartner support.' },
	30: { message: 'The MailPartner account is blocked', hint: 'Contact MailPartner support.' },
	40: { message: 'API access is refused for this account', hint: 'Ask MailPartner to enable API access.' },
	96: {
		message: 'MailPartner does not accept requests from this IP address',
		hint: 'Allow the IP address of your n8n instance in your MailPartner account.',
	},
	429: {
		message: 'Too many requests: MailPartner allows 2 000 a minute per IP address',
		hint: 'Lower Options → Requests Per Minute, or spread the work over time. Other workflows or tools using the same IP address count too.',
	},
};

/**
 * "Invalid API key (MailPartner code 10: Clé API incorrecte)": the English meaning first, then
 * the code and MailPartner's own words so that both can be looked up.
 */
export function describeMailPartnerError(
	operationErrors: ErrorTable,
	code: number | undefined,
	originalMessage: string,
): ErrorText {
	const original = originalMessage ? `: ${originalMessage}` : '';
	if (code === undefined) {
		return {
			message: `MailPartner refused the request (no error code${original})`,
			hint: 'MailPartner’s answer carried no code; see its message.',
		};
	}
	const known = operationErrors[code] ?? commonErrors[code];
	if (known) {
		return { message: `${known.message} (MailPartner code ${code}${original})`, hint: known.hint };
	}
	return {
		message: `MailPartner refused the request (MailPartner code ${code}${original})`,
		hint: 'This code is not documented for this operation; see MailPartner’s API documentation.',
	};
}

/** Error texts shown to a user are cut to a readable length, whatever a server sent. */
export function readable(value: string, length: number): string {
	return value.length > length ? `${value.slice(0, length)}…` : value;
}
