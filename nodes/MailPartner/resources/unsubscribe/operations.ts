// The Unsubscribe resource's operations, one line each: adding an operation is its module and its line here.
export { add } from './add';
export { getAll } from './getAll';
export { remove } from './remove';
