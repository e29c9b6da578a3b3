import { resourceDescription } from '../../lib/resource';
import * as operations from './operations';

export const account = resourceDescription({ name: 'Account', value: 'account' }, operations, 'getCredits');
