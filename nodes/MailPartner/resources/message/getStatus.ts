import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../lib/client';
import type { Operation } from '../../lib/operation';
import { arrayOf, boolean, number, object, text, type Answer } from '../../lib/shape';
import { messageIdField, readMessageId } from './messageId';

/** `GET /bulk-status`: one status per recipient. `date` is Unix seconds, as a string. */
const endpoint = {
	method: 'GET',
	path: '/bulk-status',
	answer: object({
		messageId: text,
		StatutResponseList: arrayOf(
			object({
				email: text,
				token: text,
				status: text,
				cost: number,
				stopMail: boolean,
				date: text,
			}),
		),
	}),
	errors: {
		3: { message: 'Message ID is required', hint: 'Fill in the Message ID field.' },
		4: {
			message: 'Message not found',
			hint: 'Check the Message ID: it is the messageId returned by the send.',
		},
	},
	spendsMoney: false,
} satisfies Endpoint;

/**
 * Statuses that mean "no report yet". MailPartner lists no status values (only "Delivered" is
 * shown); these are the waiting words of its SMS status list and of the sandbox. Any other status,
 * known or not, counts as final and is passed through untouched.
 */
const waitingStatuses: ReadonlySet<string> = new Set(['pending', 'waiting', 'queued', 'scheduled', 'en attente']);

/** Waiting never holds a worker longer than this, whatever Max Wait says: longer waits are the Wait node's job. */
const maxWaitCeilingSeconds = 300;

interface StatusSettings {
	simplify: boolean;
	/** Absent when the node does not wait for final statuses. */
	wait?: { intervalMs: number; deadline: number };
}

/** The node-level choices, read once per execution (Get Status runs over thousands of items). */
function settingsOf(context: IExecuteFunctions): StatusSettings {
	const simplify = context.getNodeParameter('simplify', 0, true) as boolean;
	const waitForFinal = context.getNodeParameter('waitForFinalStatus', 0, false) as boolean;
	const settings: StatusSettings = { simplify: simplify !== false };
	if (waitForFinal === true) {
		const seconds = (name: string, label: string, fallback: number, min: number, max: number): number => {
			const value = Number(context.getNodeParameter(name, 0, fallback));
			if (!Number.isFinite(value) || value < min || value > max) {
				throw new NodeOperationError(context.getNode(), `${label} must be from ${min} to ${max} seconds, got ${String(value)}`, {
					description: 'Change it under Wait For Final Status. Nothing was sent.',
				});
			}
			return value;
		};
		const intervalSeconds = seconds('pollInterval', 'Poll Interval', 10, 1, 60);
		const maxWaitSeconds = seconds('maxWait', 'Max Wait', 60, 0, maxWaitCeilingSeconds);
		// One deadline for the whole execution: the node never waits longer than Max Wait in all.
		settings.wait = { intervalMs: intervalSeconds * 1000, deadline: Date.now() + maxWaitSeconds * 1000 };
	}
	return settings;
}

type StatusAnswer = Answer<typeof endpoint.answer>;

function stillWaiting(answer: StatusAnswer): boolean {
	const recipients = answer.StatutResponseList;
	// No recipient yet: the reports are not in.
	if (recipients.length === 0) return true;
	return recipients.some((recipient) => typeof recipient.status === 'string' && waitingStatuses.has(recipient.status.toLowerCase()));
}

/** MailPartner's `date` ("1599061044", Unix seconds as the sample reads) as ISO 8601; null when it is not that. */
function isoDate(date: unknown): string | null {
	if (typeof date !== 'string' || !/^\d{1,12}$/.test(date)) return null;
	return new Date(Number(date) * 1000).toISOString();
}

/** One item per recipient, with the messageId, so an IF or Switch node can branch on `status`. */
function perRecipient(answer: StatusAnswer): IDataObject[] {
	const messageId = answer.messageId;
	// The recipients of one send mostly share their report's second: each date is converted once.
	const isoDates = new Map<unknown, string | null>();
	const isoDateOf = (date: unknown) => {
		if (!isoDates.has(date)) isoDates.set(date, isoDate(date));
		return isoDates.get(date) ?? null;
	};
	return answer.StatutResponseList.map((recipient) => ({
		messageId,
		email: recipient.email,
		token: recipient.token,
		status: recipient.status,
		cost: recipient.cost,
		stopMail: recipient.stopMail,
		date: recipient.date,
		dateIso: isoDateOf(recipient.date),
	}));
}

async function run(client: MailPartnerClient, messageId: string, itemIndex: number, settings: StatusSettings): Promise<IDataObject[]> {
	let answer = await client.call(endpoint, { messageId }, itemIndex);
	const wait = settings.wait;
	if (wait) {
		while (stillWaiting(answer) && Date.now() + wait.intervalMs <= wait.deadline) {
			await sleep(wait.intervalMs);
			answer = await client.call(endpoint, { messageId }, itemIndex);
		}
	}
	return settings.simplify ? perRecipient(answer) : [answer];
}

export const getStatus: Operation<string, StatusSettings> = {
	option: {
		name: 'Get Status',
		value: 'getStatus',
		action: 'Get the delivery status of a message',
		description:
			'Get the delivery status of each recipient of a send. Reports usually arrive seconds after the send, but can take up to 48 hours.',
	},
	fields: [
		messageIdField('The messageId that Message → Send (or MailPartner) returned for the send'),
		{
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			noDataExpression: true,
			default: true,
			description:
				'Whether to output one item per recipient (messageId, email, token, status, cost, stopMail, date and dateIso) instead of MailPartner’s answer as it is',
		},
		{
			displayName: 'Wait For Final Status',
			name: 'waitForFinalStatus',
			type: 'boolean',
			noDataExpression: true,
			default: false,
			description:
				'Whether to ask again, every Poll Interval, while a recipient is still Pending, Waiting, Queued or Scheduled (or no report is in yet), for at most Max Wait in all. Other statuses, known or not, are final.',
			// Shown under the field: while it waits, n8n only says "Executing node…".
			hint: `While it waits, this step asks MailPartner again every Poll Interval, for up to Max Wait (${maxWaitCeilingSeconds} s at most), and n8n shows "Executing node…" until the statuses come out at the end. For reports that take hours, use a Wait node before Get Status instead.`,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			noDataExpression: true,
			typeOptions: { minValue: 1, maxValue: 60, numberPrecision: 0 },
			default: 10,
			description: 'Seconds between two status requests for the same message',
			displayOptions: { show: { waitForFinalStatus: [true] } },
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWait',
			type: 'number',
			noDataExpression: true,
			typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 0 },
			default: 60,
			description:
				'The longest the node waits in all, for every item together (at most 300). Then it outputs the statuses as they are. For reports that take hours, use a Wait node before Get Status instead.',
			displayOptions: { show: { waitForFinalStatus: [true] } },
		},
	],
	endpoint,
	start: settingsOf,
	prepare: (context, itemIndex) => readMessageId(context, itemIndex),
	run,
};

export const getStatusShape = endpoint.answer;
