// The Account resource's operations, one line each: adding an operation is its module and its line here.
export { getCredits } from './getCredits';
