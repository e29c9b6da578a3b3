/**
 * MailPartner's documented error codes, per operation, as clear English messages.
 * The codes overlap between operations with different meanings (3 is "isBuyer required" on
 * subaccount creation and "messageId required" on the delivery status), so each operation has
 * its own table on top of the codes common to every call.
 */
export type OperationKey = 'getCredits' | 'listSubaccounts' | 'createSubaccount' | 'getStatus';

interface ErrorText {
	message: string;
	/** What the user can do about it. */
	hint: string;
}

const checkCredential = 'Check the API key in the MailPartner credential.';

const commonErrors: Record<number, ErrorText> = {
	1: { message: 'API key is missing', hint: checkCredential },
	10: { message: 'Invalid API key', hint: checkCredential },
};

const operationErrors: Record<OperationKey, Record<number, ErrorText>> = {
	getCredits: {},
	listSubaccounts: {},
	createSubaccount: {
		2: {
			message: 'A mobile phone number is required',
			hint: 'MailPartner asks for a phone number for this subaccount; complete it in your MailPartner account.',
		},
		3: {
			message: 'Is Buyer is required for an advanced subaccount',
			hint: 'Set Is Buyer to Yes or No.',
		},
		4: {
			message: 'Subaccount type is required (simple or advanced)',
			hint: 'Choose a Type.',
		},
		5: {
			message: 'Unknown subaccount type (use simple or advanced)',
			hint: 'Choose Simple or Advanced as the Type.',
		},
		6: {
			message: 'Email is required for an advanced subaccount',
			hint: 'Fill in the Email field.',
		},
		7: {
			message: 'An account already exists with this email',
			hint: 'Use another email address for the subaccount.',
		},
		8: {
			message: 'Credit To Attribute must be greater than 0',
			hint: 'Leave Credit To Attribute out or set a positive amount in euros.',
		},
		9: {
			message: 'Your main account balance must be greater than 0',
			hint: 'Top up your MailPartner balance or lower Credit To Attribute.',
		},
	},
	getStatus: {
		3: { message: 'Message ID is required', hint: 'Fill in the Message ID field.' },
		4: {
			message: 'Message not found',
			hint: 'Check the Message ID: it is the messageId returned by the send.',
		},
	},
};

/**
 * "Invalid API key (MailPartner code 10: Clé API incorrecte)": the English meaning first, then
 * the code and MailPartner's own words so that both can be looked up.
 */
export function describeMailPartnerError(
	operation: OperationKey,
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
	const known = operationErrors[operation][code] ?? commonErrors[code];
	if (known) {
		return { message: `${known.message} (MailPartner code ${code}${original})`, hint: known.hint };
	}
	return {
		message: `MailPartner refused the request (MailPartner code ${code}${original})`,
		hint: 'This code is not documented for this operation; see MailPartner’s API documentation.',
	};
}

/** How an operation is named in the editor, for messages that tell the user where to act. */
export const operationLabels: Record<OperationKey, string> = {
	getCredits: 'Account → Get Credits',
	listSubaccounts: 'Subaccount → List',
	createSubaccount: 'Subaccount → Create',
	getStatus: 'Message → Get Status',
};
