import crypto from 'node:crypto';
import { SecretBox } from '../../core/crypto/secret-box';
import { GraphClient } from '../../core/whatsapp/graph-client';
import { startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

export const APP_SECRET = 'numbers-test-app-secret-0123';

/** A migrated database with one workspace, and the Meta fake with the Graph client pointed at it. */
export interface NumbersWorld {
  database: TestDatabase;
  fake: MetaFake;
  workspaceId: string;
  secrets: SecretBox;
  graph: GraphClient;
  /** Counts invalidations, as the number directory would see them. */
  directory: { invalidate(): void; invalidations: number };
  close(): Promise<void>;
}

export async function startNumbersWorld(): Promise<NumbersWorld> {
  const database = await createTestDatabase();
  const fake = await startMetaFake({ appSecret: APP_SECRET });
  const [workspace] = await database.db('workspace').insert({ name: 'Numbers test', slug: `numbers-${crypto.randomBytes(3).toString('hex')}` }).returning('id');
  const api = { baseUrl: fake.baseUrl, version: 'v24.0' };
  const directory = { invalidations: 0, invalidate() { this.invalidations += 1; } };
  return {
    database, fake, directory,
    workspaceId: (workspace as { id: string }).id,
    secrets: new SecretBox(crypto.randomBytes(32)),
    graph: new GraphClient(api),
    close: async () => {
      await fake.stop();
      await database.drop();
    },
  };
}
