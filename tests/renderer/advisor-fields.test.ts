/** The Advisor's fields: each checked on its own, and a server message about one of them mapped back to it. */
import { describe, expect, it } from 'vitest';
import { advisorFieldOfError, advisorFieldProblem } from '../../renderer/src/components/advisor/fields';

describe('Advisor fields', () => {
  it('refuses what the request schema refuses, in plain words, and takes an empty field', () => {
    expect(advisorFieldProblem('user', 'llm; rm -rf /')).toMatch(/^User: one user name/);
    expect(advisorFieldProblem('unit', 'my llama')).toMatch(/^Systemd unit: /);
    expect(advisorFieldProblem('modelPath', '/models/a\tb.gguf')).toMatch(/^Path: one line/);
    for (const [f, v] of [
      ['user', 'llm'],
      ['unit', 'llama.service'],
      ['modelPath', "/models/it's my model.gguf"],
      ['user', ''],
    ] as const)
      expect(advisorFieldProblem(f, v)).toBeNull();
  });
  it("maps the server's message to its field, after the method name", () => {
    expect(advisorFieldOfError('advise.run: user: expected a user name, got "x y"')).toBe('user');
    expect(advisorFieldOfError('unit: expected a unit like llama.service, got "my llama"')).toBe('unit');
    expect(advisorFieldOfError('advise.run: modelPath: expected a model file path')).toBe('modelPath');
    expect(advisorFieldOfError('advise.run: ctx: expected a number')).toBeNull();
    expect(advisorFieldOfError('the machine could not be read')).toBeNull();
  });
});
