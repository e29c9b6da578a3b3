import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

const invalidKeyMessage = 'Invalid API key: MailPartner refused it. Check the key in your MailPartner account.';

export class MailPartnerApi implements ICredentialType {
	name = 'mailPartnerApi';

	displayName = 'MailPartner API';

	icon: Icon = { light: 'file:../icons/mailpartner.svg', dark: 'file:../icons/mailpartner.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mailpartner#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The API key of your MailPartner account, from its API settings',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.mailpartner.fr/v1',
			description:
				'Leave as is for MailPartner. Change it only for a staging host or a local sandbox.',
		},
	];

	/** MailPartner takes the key in the query string on GET and in the JSON body on POST. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// A pasted key often carries a newline or a space; MailPartner would refuse it as code 10.
		const apiKey = String(credentials.apiKey ?? '').trim();
		if ((requestOptions.method ?? 'GET').toUpperCase() === 'POST') {
			const body = (requestOptions.body ?? {}) as IDataObject;
			return { ...requestOptions, body: { ...body, apiKey } };
		}
		return { ...requestOptions, qs: { ...requestOptions.qs, apiKey } };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.mailpartner.fr/v1").trim().replace(/\\/+$/, "") }}',
			url: '/me',
			method: 'GET',
			// As in the node: a redirect would carry the key in the query to another host.
			disableFollowRedirect: true,
			timeout: 10000,
		},
		// MailPartner refuses a key either with HTTP 200 and `success:false` or with an HTTP error;
		// both get the same clear message instead of n8n's bare "Unauthorized". n8n checks both kinds
		// of rule in one list, which its type does not express.
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: invalidKeyMessage } },
			{ type: 'responseCode', properties: { value: 403, message: invalidKeyMessage } },
			{ type: 'responseSuccessBody', properties: { key: 'success', value: false, message: invalidKeyMessage } },
		] as ICredentialTestRequest['rules'],
	};
}
