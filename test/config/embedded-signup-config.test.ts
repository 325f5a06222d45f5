import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';

describe('loadConfig: Embedded Signup (META_APP_ID, META_EMBEDDED_SIGNUP_CONFIG_ID)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-config-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const problems = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig({ THREADLINE_DATA_DIR: dataDir, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('loadConfig accepted the environment');
  };

  it('is off when neither is set, and on with both', () => {
    const off = loadConfig({ THREADLINE_DATA_DIR: dataDir });
    expect(off.metaAppId).toBeUndefined();
    expect(off.embeddedSignupConfigId).toBeUndefined();
    const on = loadConfig({ THREADLINE_DATA_DIR: dataDir, META_APP_ID: '1234567890123', META_EMBEDDED_SIGNUP_CONFIG_ID: '987654321098' });
    expect(on).toMatchObject({ metaAppId: '1234567890123', embeddedSignupConfigId: '987654321098' });
  });

  it('takes META_APP_ID alone (the health check uses it), but not a configuration id without the app', () => {
    expect(loadConfig({ THREADLINE_DATA_DIR: dataDir, META_APP_ID: '1234567890123' }).metaAppId).toBe('1234567890123');
    expect(problems({ META_EMBEDDED_SIGNUP_CONFIG_ID: '987654321098' })).toEqual([expect.stringMatching(/^META_EMBEDDED_SIGNUP_CONFIG_ID: needs META_APP_ID/)]);
  });

  it('names a value that is not a numeric id, with where to find the right one', () => {
    expect(problems({ META_APP_ID: 'my-app', META_EMBEDDED_SIGNUP_CONFIG_ID: 'config' })).toEqual([
      expect.stringMatching(/^META_APP_ID: .*App Dashboard/),
      expect.stringMatching(/^META_EMBEDDED_SIGNUP_CONFIG_ID: .*Facebook Login for Business/),
    ]);
  });
});
