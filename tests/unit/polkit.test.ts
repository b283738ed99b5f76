// @vitest-environment jsdom
/**
 * The polkit action: well-formed XML with the one action, admin authentication kept for a few minutes, and
 * an exec.path that is exactly where electron-builder installs the helper (so pkexec matches the action).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { HELPER_INSTALLED_PATH, HELPER_REPO_PATH } from '../../shared/advise/helper-script';
import { REPO } from '../helpers';

const POLICY = join(REPO, 'resources/polkit/dev.hugetune.helper.policy');

/** jsdom's (this file's environment) XML parser is strict: a document that is not well-formed comes back as a <parsererror>. */
const parseXml = (text: string): Document => new DOMParser().parseFromString(text, 'application/xml');

const wellFormed = (text: string): boolean => parseXml(text).getElementsByTagName('parsererror').length === 0;

describe('polkit policy', () => {
  const text = readFileSync(POLICY, 'utf8');
  const doc = parseXml(text);

  it('is well-formed XML (and the check is real)', () => {
    expect(wellFormed(text)).toBe(true);
    expect(wellFormed(text.replace('</policyconfig>', '</policyconf>'))).toBe(false);
    expect(wellFormed(text.replace('<defaults>', '<defaults'))).toBe(false);
  });

  it('declares the one action, admin authentication kept for the session', () => {
    expect(doc.documentElement.tagName).toBe('policyconfig');
    const actions = [...doc.getElementsByTagName('action')];
    expect(actions.map((a) => a.getAttribute('id'))).toEqual(['dev.hugetune.helper.write']);
    const defaults = (tag: string) => actions[0]!.getElementsByTagName(tag)[0]?.textContent;
    expect(defaults('allow_active')).toBe('auth_admin_keep');
    expect(defaults('allow_inactive')).toBe('auth_admin');
    expect(defaults('allow_any')).toBe('auth_admin');
  });

  it('names the helper where electron-builder installs it', () => {
    const annotate = [...doc.getElementsByTagName('annotate')].find(
      (a) => a.getAttribute('key') === 'org.freedesktop.policykit.exec.path',
    );
    expect(annotate?.textContent).toBe(HELPER_INSTALLED_PATH);
    // deb and rpm install the app under /opt/<productName>; extraResources go to its resources/ directory.
    const config = yaml.load(readFileSync(join(REPO, 'electron-builder.yml'), 'utf8')) as {
      productName: string;
      extraResources: { from: string; to: string; filter: string[] }[];
    };
    const entry = config.extraResources.find((e) => e.from === 'resources/helper');
    expect(entry).toBeDefined();
    expect(entry!.filter).toContain('hugetune-helper');
    expect(`/opt/${config.productName}/resources/${entry!.to}/hugetune-helper`).toBe(HELPER_INSTALLED_PATH);
    expect(HELPER_REPO_PATH).toBe(`${entry!.from}/hugetune-helper`);
    expect(config.extraResources.some((e) => e.from === 'resources/polkit')).toBe(true);
  });
});
