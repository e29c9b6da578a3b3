import { resourceDescription } from '../../lib/resource';
import { cancel } from './cancel';
import { getStatus } from './getStatus';
import { send } from './send';
import { sendAndWait } from './sendAndWait';

export const message = resourceDescription({ name: 'Message', value: 'message' }, [send, sendAndWait, getStatus, cancel], 'getStatus');
