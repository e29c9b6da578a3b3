import { creditOperation } from './creditMove';

/** `POST /subaccount/credit/add`: euros from the main account's balance to a subaccount. */
export const addCredit = creditOperation('add', {
	name: 'Add Credit',
	value: 'addCredit',
	action: 'Add credit to a subaccount',
	description: 'Move euros from the main account’s balance to a subaccount',
});
