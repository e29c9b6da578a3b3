import { resourceDescription } from '../../lib/resource';
import { getCredits } from './getCredits';

export const account = resourceDescription({ name: 'Account', value: 'account' }, [getCredits], 'getCredits');
