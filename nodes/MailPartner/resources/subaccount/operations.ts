// The Subaccount resource's operations, one line each: adding an operation is its module and its line here.
export { addCredit } from './addCredit';
export { create } from './create';
export { getAll } from './getAll';
export { removeCredit } from './removeCredit';
