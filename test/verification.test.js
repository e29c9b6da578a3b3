/**
 * n8n's own verification scan (the rules n8n runs before listing a community package), run
 * offline on the packed tarball's contents instead of a registry download. Needs `npm run build`.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

it('the packed package passes n8n’s community-package scan', () => {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-scan-'));
	try {
		execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root, stdio: 'ignore' });
		const [tarball] = fs.readdirSync(folder).filter((name) => name.endsWith('.tgz'));
		execFileSync('tar', ['xzf', tarball], { cwd: folder });
		const scan = `
			import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';
			const result = await analyzePackage(process.argv[1], ['**/*.js', 'package.json']);
			console.log(JSON.stringify({ passed: result.passed, message: result.message, details: result.details }));
		`;
		const output = execFileSync(process.execPath, ['--input-type=module', '-e', scan, path.join(folder, 'package')], {
			cwd: root,
			encoding: 'utf8',
		});
		const result = JSON.parse(output.trim().split('\n').pop());
		expect(result).toEqual({ passed: true });
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
}, 120000);
