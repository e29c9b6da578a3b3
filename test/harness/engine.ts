import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
	type ExecutionError,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IBinaryKeyData,
	type IConnections,
	type IExecuteFunctions,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

// n8n's logger silent in the tests unless asked (LOG_LEVEL, DEBUG).
import './quiet-logger';
import { MailPartnerApi } from '../../credentials/MailPartnerApi.credentials';
import { MailPartner } from '../../nodes/MailPartner/MailPartner.node';

/**
 * Runs the MailPartner node the way n8n does: a real Workflow and n8n-core's WorkflowExecute,
 * which calls the node's `execute` and then rewrites its output as n8n stores it. Only the outside
 * world is replaced — HTTP is answered at the socket by nock or the local sandbox, credentials
 * come from memory (and n8n's request helper authenticates with the credential type itself).
 */

export const nodeTypeName = 'n8n-nodes-mailpartner.mailPartner';

const mailPartnerNode: INodeType = new MailPartner();

const credentialType = new MailPartnerApi();

/**
 * A stand-in for whatever node the user puts after MailPartner: it passes on what it receives, so
 * a test reads what the next node's `$json` would be.
 */
const nextNodeType = 'test.next';
const nextNode: INodeType = {
	description: {
		displayName: 'Next',
		name: nextNodeType,
		group: ['transform'],
		version: 1,
		description: 'Passes its input on',
		defaults: { name: 'Next' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	},
};

/** The node under test (MailPartner, or a test-only node), and the stand-in for the next node. */
const typesOf = (nodeType: INodeType): INodeTypes => ({
	getByName: (type) => (type === nextNodeType ? nextNode : nodeType),
	getByNameAndVersion: (type) => (type === nextNodeType ? nextNode : nodeType),
	getKnownTypes: () => ({}),
});

const nodeTypes = typesOf(mailPartnerNode);

/** Serves one credential from memory and applies the credential type's own `authenticate`. */
export class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** How many requests n8n authenticated with the credential type's `authenticate`. */
	authentications = 0;

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		this.authentications += 1;
		return await credentialType.authenticate(credentials, requestOptions);
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('Not used by the engine for this node');
	}

	/** How many times n8n asked for the decrypted credential (once per execution is the node's rule). */
	decryptions = 0;

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		this.decryptions += 1;
		return { ...this.data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(): INodeProperties[] {
		return credentialType.properties;
	}
}

export interface RunOptions {
	parameters: INodeParameters;
	/** The node's input items; one empty item by default, as after a Manual Trigger. */
	items?: IDataObject[];
	/** Binary data of the input items, by item index (e.g. files to attach). */
	binary?: Array<IBinaryKeyData | undefined>;
	credentials: { apiKey: string; baseUrl: string };
	continueOnFail?: boolean;
	/**
	 * n8n's "On Error" setting, when a test needs it spelt out: Continue On Fail is
	 * 'continueRegularOutput'; 'continueErrorOutput' sends error items to a second output.
	 */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Puts a node after MailPartner (and after its error output), to read what it receives. */
	withNextNodes?: boolean;
	/** Node settings as the editor saves them, e.g. `{ retryOnFail: true }`. */
	settings?: Partial<Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>>;
	/** Another node type to run instead of MailPartner (a test-only node). */
	nodeType?: INodeType;
}

export interface RunResult {
	/** The node's output items, or undefined when the node failed. */
	items: INodeExecutionData[] | undefined;
	/** The items of the error output, with On Error set to 'continueErrorOutput'. */
	errorItems: INodeExecutionData[] | undefined;
	/** What the nodes after MailPartner received (`withNextNodes`): from its output, and from its error output. */
	next: { main: INodeExecutionData[] | undefined; error: INodeExecutionData[] | undefined };
	/** How many times the credential was decrypted during the run, and how many requests n8n authenticated with it. */
	credentialDecryptions: number;
	credentialAuthentications: number;
	/** The node's error as the engine stored it in the run. */
	error: ExecutionError | undefined;
	/** Everything the engine returns, for leak checks. */
	run: IRun;
}

export async function runNode(options: RunOptions): Promise<RunResult> {
	const node: INode = {
		id: 'b5f1b1f4-5c1a-4d53-9d3e-0a5d1c2e7f01',
		name: 'MailPartner',
		type: nodeTypeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { mailPartnerApi: { id: '1', name: 'MailPartner account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(options.onError ? { onError: options.onError } : {}),
		...options.settings,
	};
	const nextNodes: INode[] = options.withNextNodes
		? ['Next', 'On Error'].map((name, index) => ({
				id: `b5f1b1f4-5c1a-4d53-9d3e-0a5d1c2e7f1${index}`,
				name,
				type: nextNodeType,
				typeVersion: 1,
				position: [200, index * 200],
				parameters: {},
			}))
		: [];
	const connections: IConnections = options.withNextNodes
		? {
				[node.name]: {
					main: [[{ node: 'Next', type: 'main', index: 0 }], [{ node: 'On Error', type: 'main', index: 0 }]],
				},
			}
		: {};
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: [node, ...nextNodes],
		connections,
		active: false,
		nodeTypes: options.nodeType ? typesOf(options.nodeType) : nodeTypes,
	});
	const items = (options.items ?? [{}]).map((json, index) => {
		const binary = options.binary?.[index];
		return binary ? { json, binary } : { json };
	});
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: workflow.getNode(node.name) ?? node, data: { main: [items] }, source: null }],
		},
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', {
		id: workflow.id,
		name: 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [node, ...nextNodes],
		connections,
	});
	const credentialsHelper = new MemoryCredentialsHelper(options.credentials);
	const additionalData = {
		credentialsHelper,
		hooks,
		executionId: 'test-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not used by this node');
		},
		startRunnerTask: async () => {
			throw new Error('Task runners are not used by this node');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(
		workflow,
	);
	const runData = run.data.resultData.runData;
	const taskData = runData[node.name]?.[0];
	const received = (name: string) => runData[name]?.[0]?.data?.main?.[0] ?? undefined;
	return {
		items: taskData?.data?.main?.[0] ?? undefined,
		errorItems: taskData?.data?.main?.[1] ?? undefined,
		next: { main: received('Next'), error: received('On Error') },
		credentialDecryptions: credentialsHelper.decryptions,
		credentialAuthentications: credentialsHelper.authentications,
		error: taskData?.error ?? run.data.resultData.error,
		run,
	};
}
