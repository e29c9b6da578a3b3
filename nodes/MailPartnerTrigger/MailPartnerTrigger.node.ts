import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

// Through the MailPartner node's file, which the build leaves external (see that file).
import {
	credentialType,
	creditsEndpoint,
	defaults,
	MailPartnerClient,
	readCredentials,
	readUnsubscribeList,
	summary,
} from '../MailPartner/MailPartner.node';

/**
 * Polls MailPartner through the same client as the MailPartner node. What was seen is kept in
 * n8n's static data of the node, which n8n stores with the workflow: the first poll after
 * activation (or after the event or its settings change) only records a baseline, and later polls
 * compare with it, so that a restart neither repeats nor invents an event.
 */

type Unit = 'euros' | 'emails';

/** What "Credits Below" remembers: the settings it was measured for, and whether it was below. */
interface CreditsSeen {
	settings: string;
	below: boolean;
}

const unitLabel: Record<Unit, string> = { euros: 'EUR', emails: 'e-mails' };

/** The threshold's unit on the canvas: "Credits below 20 €", "Credits below 500 e-mails". */
const subtitleUnit: Record<Unit, string> = { ...unitLabel, euros: '€' };

export class MailPartnerTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MailPartner Trigger',
		name: 'mailPartnerTrigger',
		icon: { light: 'file:../../icons/mailpartner.svg', dark: 'file:../../icons/mailpartner.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ $parameter["event"] === "creditsBelow" ? "Credits below " + $parameter["threshold"] + " " + (${JSON.stringify(subtitleUnit)})[$parameter["unit"]] : "New unsubscribe" }}`,
		// n8n's node picker lists this trigger and the MailPartner node as one "MailPartner" entry,
		// and shows the trigger's description for it (n8n's editor, useActionsGeneration.ts,
		// generateMergedNodesAndActions): so it says what the whole entry offers, actions first.
		description: `${summary}, or start a workflow when the credits run low or an address unsubscribes`,
		defaults: { name: 'MailPartner Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: credentialType, required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Credits Below',
						value: 'creditsBelow',
						description: 'Once when the account drops below a threshold; again only after it went back above',
					},
					{
						name: 'New Unsubscribe',
						value: 'newUnsubscribe',
						description: 'One event per address added to the unsubscribe list since the last poll',
					},
				],
				default: 'creditsBelow',
			},
			{
				displayName: 'Threshold In',
				name: 'unit',
				type: 'options',
				options: [
					{ name: 'Euros', value: 'euros', description: 'The account’s balance, in euros' },
					{ name: 'E-Mails', value: 'emails', description: 'The number of e-mails the balance still buys' },
				],
				default: 'euros',
				displayOptions: { show: { event: ['creditsBelow'] } },
			},
			{
				displayName: 'Threshold',
				name: 'threshold',
				type: 'number',
				// Euros and cents (or whole e-mails): 10.000 would read as ten thousand in French.
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 10,
				description:
					'The event fires when the balance (or the e-mails left) is strictly below this value, once; it fires again only after the account went back to this value or above',
				displayOptions: { show: { event: ['creditsBelow'] } },
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event') as string;
		const credentials = await readCredentials(this);
		const client = new MailPartnerClient(this, credentials, {
			format: 'json',
			timeoutMs: defaults.timeoutMs,
			requestsPerMinute: defaults.requestsPerMinute,
		});
		// A test run in the editor shows what an event looks like and changes nothing stored.
		const manual = this.getMode() === 'manual';
		const seen = this.getWorkflowStaticData('node');
		if (event === 'creditsBelow') return await creditsBelow(this, client, seen, manual);
		if (event === 'newUnsubscribe') return await newUnsubscribes(client, seen, manual);
		throw new NodeOperationError(this.getNode(), `Unknown event "${String(event).slice(0, 40)}"`, {
			description: 'Choose Credits Below or New Unsubscribe.',
		});
	}
}

async function creditsBelow(
	context: IPollFunctions,
	client: MailPartnerClient,
	seen: IDataObject,
	manual: boolean,
): Promise<INodeExecutionData[][] | null> {
	const unit = context.getNodeParameter('unit', 'euros') as Unit;
	const rawThreshold = context.getNodeParameter('threshold', 10) as unknown;
	const threshold = typeof rawThreshold === 'number' ? rawThreshold : Number.NaN;
	if (unit !== 'euros' && unit !== 'emails') {
		throw new NodeOperationError(context.getNode(), `Threshold In must be Euros or E-Mails, got "${String(unit).slice(0, 40)}"`);
	}
	if (!Number.isFinite(threshold) || threshold < 0) {
		throw new NodeOperationError(context.getNode(), `Threshold must be a number of at least 0, got ${String(rawThreshold).slice(0, 40)}`);
	}

	const answer = await client.call(creditsEndpoint, {}, 0);
	const credits = answer.credits;
	// Both are numbers once read (Get Credits outputs the balance in euros as a number); a null is
	// MailPartner leaving the value out.
	const value = unit === 'euros' ? credits.balance : credits.creditMail;
	if (typeof value !== 'number' || !Number.isFinite(value)) {
		const message = `MailPartner’s answer has no ${unit === 'euros' ? 'balance' : 'e-mail count'} to compare with the threshold`;
		throw new NodeApiError(client.node, { message }, { message, description: 'Nothing was recorded; the next poll tries again.' });
	}
	const below = value < threshold;
	const item = (): INodeExecutionData => ({
		json: { event: 'creditsBelow', below, threshold, unit, value, currency: unitLabel[unit], user: answer.user, credits },
	});
	if (manual) return [[item()]];

	// The settings are part of what was seen: a new threshold starts from a new baseline.
	const settings = `${unit}:${threshold}`;
	const previous = seen.credits as CreditsSeen | undefined;
	const now: CreditsSeen = { settings, below };
	// Written only when it changes: n8n stores the static data when it sees a change.
	if (previous?.settings !== now.settings || previous.below !== now.below) seen.credits = { ...now };
	if (previous === undefined || previous.settings !== settings) return null;
	// Fires on the way down only: while it stays below nothing fires, and it re-arms once it is
	// back at the threshold or above.
	return below && !previous.below ? [[item()]] : null;
}

async function newUnsubscribes(
	client: MailPartnerClient,
	seen: IDataObject,
	manual: boolean,
): Promise<INodeExecutionData[][] | null> {
	const entries = (await readUnsubscribeList(client, 0)).filter(
		(entry): entry is IDataObject & { id: number } => typeof entry.id === 'number' && Number.isSafeInteger(entry.id),
	);
	entries.sort((a, b) => a.id - b.id);
	const item = (entry: IDataObject): INodeExecutionData => ({ json: { event: 'newUnsubscribe', ...entry } });
	if (manual) {
		const newest = entries[entries.length - 1];
		return [[newest ? item(newest) : item({ id: 0, email: 'sample@example.com', createdAt: '2024-01-01 00:00:00', sample: true })]];
	}

	// The list's IDs grow as addresses are added (stopId 300 after list entry 19 in the samples):
	// the highest ID seen marks what was already reported. An address removed and added again gets
	// a new ID, and is a new unsubscribe.
	const last = seen.lastUnsubscribeId;
	const highest = entries.length > 0 ? entries[entries.length - 1].id : 0;
	if (typeof last !== 'number') {
		seen.lastUnsubscribeId = highest;
		return null;
	}
	const fresh = entries.filter((entry) => entry.id > last);
	if (fresh.length === 0) return null;
	seen.lastUnsubscribeId = highest;
	return [fresh.map(item)];
}
