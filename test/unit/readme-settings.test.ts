import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsMarkdown } from '../../shared/config/describe';

describe('README', () => {
  it('documents every setting exactly as the configuration code defines it (regenerate with settingsMarkdown())', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(settingsMarkdown());
  });

  it('opens with the two set-up commands: run locally, run the tests', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const firstBlock = readme.slice(readme.indexOf('```bash'), readme.indexOf('```', readme.indexOf('```bash') + 7));
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm ci && npm test');
  });
});
