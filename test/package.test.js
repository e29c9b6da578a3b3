/**
 * The package as n8n receives it: what `npm pack` ships, and the built node loading in a folder
 * where only n8n-workflow can be resolved, as in a user's n8n. Needs `npm run build` first
 * (`npm test` runs it). Plain JavaScript: it uses the file system and child processes.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
	it('has no runtime dependencies, and n8n-workflow as its only peer', () => {
		expect(manifest.dependencies).toBeUndefined();
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.files).toEqual(['dist']);
		expect(manifest.license).toBe('MIT');
	});
});

describe('npm pack', () => {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	);
	const shipped = packed.files.map((file) => file.path).sort();

	it('ships the node, the credential, the icons and the codex, and nothing from the sources', () => {
		expect(shipped).toEqual(
			expect.arrayContaining([
				...manifest.n8n.nodes,
				...manifest.n8n.credentials,
				'dist/nodes/MailPartner/MailPartner.node.json',
				'dist/icons/mailpartner.svg',
				'dist/icons/mailpartner.dark.svg',
				'package.json',
				'README.md',
				'LICENSE',
			]),
		);
		expect(shipped.filter((file) => !/^dist\/|^(package\.json|README\.md|LICENSE)$/.test(file))).toEqual([]);
		// Bundled: tsc's per-module files (which would need fast-xml-parser) are not shipped.
		expect(shipped.filter((file) => file.startsWith('dist/nodes/MailPartner/lib/'))).toEqual([]);
	});

	it('stays small', () => {
		expect(packed.size).toBeLessThan(100 * 1024);
	});
});

describe('the built node', () => {
	it('loads with only n8n-workflow resolvable, and points at icons that exist', () => {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-load-'));
		try {
			fs.cpSync(path.join(root, 'dist'), path.join(folder, 'dist'), { recursive: true });
			fs.mkdirSync(path.join(folder, 'node_modules'));
			fs.symlinkSync(path.join(root, 'node_modules', 'n8n-workflow'), path.join(folder, 'node_modules', 'n8n-workflow'));
			const script = `
				const { MailPartner } = require('./${manifest.n8n.nodes[0]}');
				const { MailPartnerApi } = require('./${manifest.n8n.credentials[0]}');
				const node = new MailPartner().description;
				const credential = new MailPartnerApi();
				console.log(JSON.stringify({ name: node.name, icon: node.icon, tool: node.usableAsTool, credential: credential.name, credentialIcon: credential.icon }));
			`;
			const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: folder, encoding: 'utf8', env: { PATH: process.env.PATH } }));
			expect(loaded).toMatchObject({ name: 'mailPartner', tool: true, credential: 'mailPartnerApi' });
			const nodeFolder = path.join(folder, path.dirname(manifest.n8n.nodes[0]));
			const credentialFolder = path.join(folder, path.dirname(manifest.n8n.credentials[0]));
			for (const icon of Object.values(loaded.icon)) {
				expect(fs.existsSync(path.join(nodeFolder, icon.replace(/^file:/, '')))).toBe(true);
			}
			for (const icon of Object.values(loaded.credentialIcon)) {
				expect(fs.existsSync(path.join(credentialFolder, icon.replace(/^file:/, '')))).toBe(true);
			}
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	});
});
