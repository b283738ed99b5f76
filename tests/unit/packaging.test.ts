/** electron-builder.yml against electron-builder's own schema validation (packaging itself needs downloads). */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, logger: { isEnabled: boolean }) => Promise<void>;
};
const config = yaml.load(readFileSync(join(REPO, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;

// Loading app-builder-lib and compiling its schema takes about a second here, longer on a slow machine.
describe('electron-builder.yml', { timeout: 60_000 }, () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, { isEnabled: false })).resolves.toBeUndefined();
  });
  it('would be rejected if it were wrong (the check is real)', async () => {
    await expect(
      validateConfiguration({ ...config, linux: { ...config.linux, categroy: 'System' } }, { isEnabled: false }),
    ).rejects.toThrow(/configuration/);
  });
  it('targets AppImage, deb and rpm in category System, with icons and a desktop entry', () => {
    expect(config.linux!.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.linux!.category).toBe('System');
    for (const size of [32, 64, 128, 256, 512])
      expect(existsSync(join(REPO, `resources/icons/${size}x${size}.png`))).toBe(true);
    expect(readFileSync(join(REPO, 'resources/hugetune.desktop'), 'utf8')).toMatch(/^Categories=System;/m);
  });
  it('deb and rpm install the polkit action where polkit reads it, for the helper at the path the action names', () => {
    for (const target of ['deb', 'rpm']) {
      expect(config[target]).toMatchObject({
        afterInstall: 'resources/packaging/after-install.sh',
        afterRemove: 'resources/packaging/after-remove.sh',
      });
    }
    const script = readFileSync(join(REPO, 'resources/packaging/after-install.sh'), 'utf8');
    const policy = readFileSync(join(REPO, 'resources/polkit/dev.hugetune.helper.policy'), 'utf8');
    const exec = /org\.freedesktop\.policykit\.exec\.path">([^<]+)</.exec(policy)![1]!;
    const app = /^app=(\S+)$/m.exec(script)![1]!;
    expect(exec).toBe(`${app}/helper/hugetune-helper`);
    expect(script).toMatch(/^actions=\/usr\/share\/polkit-1\/actions$/m);
  });
  it('sets the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });
});
