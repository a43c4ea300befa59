import { describe, expect, it } from 'vitest';

describe('the test runtime', () => {
  it('is Node.js 22, the Lambda runtime (nodejs22.x)', () => {
    expect(process.versions.node.split('.')[0]).toBe('22');
  });
});
