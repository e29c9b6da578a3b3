/**
 * n8n's logger prints every node error the tests provoke on purpose (hundreds of blocks in
 * `npm test`): silent unless asked. LOG_LEVEL gives it that level, DEBUG its default one, and an
 * N8N_LOG_LEVEL already set (the hostile suite's capture sets one) is left alone. n8n reads it when
 * it first creates its logger, at a run, after this has loaded. JavaScript on purpose: n8n's lint
 * forbids `process` in TypeScript files.
 */
if (process.env.N8N_LOG_LEVEL === undefined && !process.env.DEBUG) process.env.N8N_LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
