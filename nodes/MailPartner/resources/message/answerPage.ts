/**
 * The HTML of Send and Wait for Response: the mail's body, and the pages its links open. Every
 * text a user or an expression gave is escaped here, in one place; URLs are n8n's signed resume
 * URLs. The pages carry no script: a form POSTs the answer.
 */

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => entities[character]);
}

/** Escaped, with the user's line breaks kept (a typed newline, or `\n` as n8n's nodes accept). */
function paragraphs(text: string): string {
	return escapeHtml(text.replace(/\\n/g, '\n')).replace(/\r?\n/g, '<br>');
}

export interface MailButton {
	label: string;
	url: string;
	primary: boolean;
}

const buttonStyle = (primary: boolean) =>
	`display:inline-block;text-decoration:none;padding:12px 24px;margin:12px 6px 0 0;border-radius:6px;font:600 14px Arial,sans-serif;${
		primary ? 'background:#1a56db;color:#ffffff;' : 'background:#ffffff;color:#333333;border:1px solid #cccccc;'
	}`;

/** The mail: the question, then one button-styled link per choice. */
export function mailBody(message: string, buttons: MailButton[]): string {
	const links = buttons
		.map(({ label, url, primary }) => `<a href="${escapeHtml(url)}" target="_blank" style="${buttonStyle(primary)}">${escapeHtml(label)}</a>`)
		.join('\n');
	return [
		'<div style="font:15px/1.5 Arial,sans-serif;color:#222222;max-width:560px">',
		`<p>${paragraphs(message)}</p>`,
		`<p>${links}</p>`,
		'<p style="color:#777777;font-size:12px">The button opens a page where you confirm your answer.</p>',
		'</div>',
	].join('\n');
}

/** The headers of every page: no caching, no referrer (the URL holds n8n's signature), no script. */
export const pageHeaders: Record<string, string> = {
	'Content-Type': 'text/html; charset=utf-8',
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'X-Robots-Tag': 'noindex, nofollow',
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function page(title: string, body: string): string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;background:#f5f6f8;font:15px/1.5 Arial,sans-serif;color:#222}
main{max-width:480px;margin:40px auto;padding:24px;background:#fff;border:1px solid #dde;border-radius:8px}
h1{font-size:20px;font-weight:600;margin:0 0 12px}
textarea{width:100%;box-sizing:border-box;min-height:120px;font:inherit;padding:8px}
button{margin-top:16px;padding:12px 24px;border:0;border-radius:6px;background:#1a56db;color:#fff;font:600 14px Arial,sans-serif;cursor:pointer}
.error{color:#b00020}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The page a link opens (GET): the question and one button that POSTs to this same URL, query
 * (and so n8n's signature) included: a form without `action` posts to the page's own URL.
 */
export function questionPage(subject: string, message: string, buttonLabel: string): string {
	return page(
		subject,
		`<h1>${escapeHtml(subject)}</h1>
<p>${paragraphs(message)}</p>
<form method="post">
<button type="submit">${escapeHtml(buttonLabel)}</button>
</form>`,
	);
}

/** The Free Text page: the question and a text box; `error` when an empty answer was sent. */
export function freeTextPage(subject: string, message: string, buttonLabel: string, error?: string): string {
	return page(
		subject,
		`<h1>${escapeHtml(subject)}</h1>
<p>${paragraphs(message)}</p>
${error ? `<p class="error">${escapeHtml(error)}</p>\n` : ''}<form method="post">
<textarea name="text" required aria-label="Your answer"></textarea>
<button type="submit">${escapeHtml(buttonLabel)}</button>
</form>`,
	);
}

/** After the answer: n8n's own words. */
export const answerRecordedPage = page('Answer recorded', '<h1>Got it, thanks</h1>\n<p>This page can be closed now.</p>');
