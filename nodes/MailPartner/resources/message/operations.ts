// The Message resource's operations, one line each: adding an operation is its module and its line here.
export { cancel } from './cancel';
export { getStatus } from './getStatus';
export { send } from './send';
export { sendAndWait } from './sendAndWait';
