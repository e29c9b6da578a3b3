'use strict';

/** First messageId of the bench seed; item `i` of a run asks for `FIRST_MESSAGE_ID + i`. */
const FIRST_MESSAGE_ID = 100000;

/** Every third message is still Pending with one recipient; the others are settled with three. */
const isPending = (id) => Number(id) % 3 === 0;
const recipientCount = (id) => (isPending(id) ? 1 : 3);

/** The `i`-th item's messageId (the Code node and the raw loop use the same ids). */
const messageIdAt = (i) => String(FIRST_MESSAGE_ID + i);

module.exports = { FIRST_MESSAGE_ID, isPending, recipientCount, messageIdAt };
