import { resourceDescription } from '../../shared/resource';
import { getCredits } from './getCredits';

export const account = resourceDescription('account', { getCredits }, 'getCredits');
