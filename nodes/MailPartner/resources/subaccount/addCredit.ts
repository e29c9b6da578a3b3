import { creditOperation } from './creditMove';

/** `POST /subaccount/credit/add`: euros from the main account's balance to a subaccount. */
export const addCredit = creditOperation('addCredit', 'add', {
	name: 'Add Credit',
	action: 'Add credit to a subaccount',
	description: 'Move euros from the main account’s balance to a subaccount',
});
