import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';

const SECRET_NAMES = ['THREADLINE_ENCRYPTION_KEY', 'THREADLINE_ADMIN_TOKEN', 'META_APP_SECRET', 'META_VERIFY_TOKEN'];

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-config-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const secretsFile = () => path.join(dataDir, 'dev-secrets.json');
  const storedSecrets = (): Record<string, string> => JSON.parse(fs.readFileSync(secretsFile(), 'utf8'));

  describe('development', () => {
    it('with nothing set, generates every secret into dev-secrets.json (mode 0600) and works on defaults', () => {
      const config = loadConfig({ THREADLINE_DATA_DIR: dataDir });
      expect(config.nodeEnv).toBe('development');
      expect(config.port).toBe(3000);
      expect(config.publicUrl).toBe('http://localhost:3000');
      expect(config.databaseUrl).toBeUndefined();
      expect(config.generated.sort()).toEqual([...SECRET_NAMES].sort());
      expect(config.encryptionKey).toHaveLength(32);

      expect(fs.statSync(secretsFile()).mode & 0o777).toBe(0o600);
      expect(storedSecrets()).toEqual({
        THREADLINE_ENCRYPTION_KEY: config.encryptionKey.toString('base64'),
        THREADLINE_ADMIN_TOKEN: config.adminToken,
        META_APP_SECRET: config.metaAppSecret,
        META_VERIFY_TOKEN: config.metaVerifyToken,
      });
    });

    it('reuses the generated secrets on the next start, without rewriting the file', () => {
      const first = loadConfig({ THREADLINE_DATA_DIR: dataDir });
      const written = fs.readFileSync(secretsFile(), 'utf8');
      const second = loadConfig({ THREADLINE_DATA_DIR: dataDir });
      expect(second.adminToken).toBe(first.adminToken);
      expect(second.metaAppSecret).toBe(first.metaAppSecret);
      expect(second.metaVerifyToken).toBe(first.metaVerifyToken);
      expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
      expect(fs.readFileSync(secretsFile(), 'utf8')).toBe(written);
    });

    it('generated values are good enough to be configured: production accepts them as they are', () => {
      loadConfig({ THREADLINE_DATA_DIR: dataDir });
      const config = loadConfig({ ...storedSecrets(), NODE_ENV: 'production', PUBLIC_URL: 'https://threadline.example.com', THREADLINE_DATA_DIR: dataDir });
      expect(config.generated).toEqual([]);
    });

    it('generates only what is missing; configured values are used and never written to disk', () => {
      const adminToken = 'configured-admin-token-0123456789';
      const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_ADMIN_TOKEN: adminToken });
      expect(config.adminToken).toBe(adminToken);
      expect(config.generated).not.toContain('THREADLINE_ADMIN_TOKEN');
      expect(Object.keys(storedSecrets()).sort()).toEqual(SECRET_NAMES.filter((n) => n !== 'THREADLINE_ADMIN_TOKEN').sort());
      expect(fs.readFileSync(secretsFile(), 'utf8')).not.toContain(adminToken);
    });

    it('treats NAME= (empty, as copied from .env.example) as not set', () => {
      const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_ENCRYPTION_KEY: '', THREADLINE_ADMIN_TOKEN: '', META_APP_SECRET: '', META_VERIFY_TOKEN: '', DATABASE_URL: '' });
      expect(config.generated.sort()).toEqual([...SECRET_NAMES].sort());
      expect(config.databaseUrl).toBeUndefined();
    });

    it('creates a data directory that does not exist yet', () => {
      const nested = path.join(dataDir, 'a', 'b');
      loadConfig({ THREADLINE_DATA_DIR: nested });
      expect(fs.existsSync(path.join(nested, 'dev-secrets.json'))).toBe(true);
    });
  });

  describe('production', () => {
    it('with nothing set, one error lists every missing value, and nothing is generated', () => {
      const err = configError({ NODE_ENV: 'production', THREADLINE_DATA_DIR: dataDir });
      for (const name of [...SECRET_NAMES, 'PUBLIC_URL']) {
        expect(err.problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${name}: required in production`))]));
        expect(err.message).toContain(name);
      }
      expect(err.problems).toHaveLength(5);
      expect(fs.existsSync(secretsFile())).toBe(false);
    });

    it('empty values count as missing', () => {
      const err = configError({ NODE_ENV: 'production', THREADLINE_DATA_DIR: dataDir, THREADLINE_ADMIN_TOKEN: '', PUBLIC_URL: '' });
      expect(err.problems).toEqual(expect.arrayContaining(['THREADLINE_ADMIN_TOKEN: required in production', expect.stringMatching(/^PUBLIC_URL: required in production/)]));
    });

    it('reports malformed and missing values together, so one restart is enough', () => {
      const err = configError({ NODE_ENV: 'production', THREADLINE_DATA_DIR: dataDir, PORT: 'abc', PUBLIC_URL: 'https://threadline.example.com' });
      expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['PORT', ...SECRET_NAMES].sort());
    });
  });

  it('names every malformed value with what to do about it, all at once', () => {
    const err = configError({
      THREADLINE_DATA_DIR: dataDir,
      PORT: 'abc',
      THREADLINE_ENCRYPTION_KEY: Buffer.alloc(16, 7).toString('base64'),
      WHATSAPP_API_VERSION: '24',
      DATABASE_URL: 'mysql://threadline:secret@db:3306/threadline',
    });
    const problem = (name: string) => err.problems.find((p) => p.startsWith(`${name}: `)) ?? '';
    expect(err.problems).toHaveLength(4);
    expect(problem('PORT')).toMatch(/1 to 65535/);
    expect(problem('THREADLINE_ENCRYPTION_KEY')).toMatch(/32 bytes.*openssl rand -base64 32/);
    expect(problem('WHATSAPP_API_VERSION')).toMatch(/v24\.0/);
    expect(problem('DATABASE_URL')).toMatch(/postgres:\/\//);
    expect(err.message).toMatch(/^Threadline cannot start/);
    for (const p of err.problems) expect(err.message).toContain(p);
    // A rejected configuration never leaves generated secrets behind.
    expect(fs.existsSync(secretsFile())).toBe(false);
  });

  it.each([
    ['PORT', '70000', /1 to 65535/],
    ['PORT', '30.5', /1 to 65535/],
    ['PUBLIC_URL', 'threadline.example.com', /absolute URL/],
    ['THREADLINE_ADMIN_TOKEN', 'short', /at least 24 characters/],
    ['NODE_ENV', 'prod', /development|production/],
  ])('%s=%s is rejected with a hint', (name, value, hint) => {
    const err = configError({ THREADLINE_DATA_DIR: dataDir, [name]: value });
    expect(err.problems).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
    expect(err.problems[0]).toMatch(hint);
  });

  it('reads previous encryption keys for rotation, and rejects one that is not 32 bytes', () => {
    const oldKey = crypto.randomBytes(32).toString('base64');
    const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_ENCRYPTION_KEYS_PREVIOUS: ` ${oldKey} ,` });
    expect(config.previousEncryptionKeys.map((k) => k.toString('base64'))).toEqual([oldKey]);
    const err = configError({ THREADLINE_DATA_DIR: dataDir, THREADLINE_ENCRYPTION_KEYS_PREVIOUS: `${oldKey},c2hvcnQ=` });
    expect(err.problems).toEqual([expect.stringMatching(/^THREADLINE_ENCRYPTION_KEYS_PREVIOUS\.1: must be 32 bytes/)]);
  });
});
