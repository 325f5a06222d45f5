import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidBlobKeyError, LocalFolderBlobStore } from '../../core/media/blob-store';

let root: string;
let store: LocalFolderBlobStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'threadline-blobs-'));
  store = new LocalFolderBlobStore(root);
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

const key = 'ws_1/2025/06/3f2b8c1e-2d4a-4c55-9a0e-5b8f1f6f7a10';

describe('LocalFolderBlobStore', () => {
  it('stores bytes with their content type and reads them back', async () => {
    const data = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10]);

    await store.put(key, data, 'image/jpeg');

    await expect(store.get(key)).resolves.toEqual({ data, contentType: 'image/jpeg' });
    const files = await fs.readdir(path.join(root, 'ws_1/2025/06'));
    expect(files.sort()).toEqual([path.basename(key), `${path.basename(key)}.meta.json`]);
  });

  it('overwrites a key whole', async () => {
    await store.put(key, Buffer.from('first'), 'text/plain');
    await store.put(key, Buffer.from('second version'), 'audio/ogg; codecs=opus');

    await expect(store.get(key)).resolves.toEqual({ data: Buffer.from('second version'), contentType: 'audio/ogg; codecs=opus' });
  });

  it('answers null for a missing key and deletes idempotently', async () => {
    await store.put(key, Buffer.from('x'), 'text/plain');

    await store.delete(key);
    await store.delete(key);

    await expect(store.get(key)).resolves.toBeNull();
    expect(await fs.readdir(path.join(root, 'ws_1/2025/06'))).toEqual([]);
  });

  it('leaves no temp files behind', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.put(key, Buffer.from(`v${i}`), 'text/plain')));

    const files = await fs.readdir(path.join(root, 'ws_1/2025/06'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await store.get(key))?.data.toString()).toMatch(/^v[0-4]$/);
  });

  it.each([
    '../outside',
    'ws_1/../../etc/passwd',
    'ws_1/./x',
    '/etc/passwd',
    'ws_1//x',
    'ws_1\\..\\x',
    '',
    'ws_1/.hidden',
    'ws_1/x.meta.json',
  ])('rejects the key %j', async (bad) => {
    await expect(store.put(bad, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.get(bad)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(bad)).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it('writes nothing outside its root', async () => {
    await expect(store.put('../escape', Buffer.from('x'), 'text/plain')).rejects.toThrow(InvalidBlobKeyError);

    await expect(fs.access(path.join(root, '..', 'escape'))).rejects.toThrow();
  });
});
