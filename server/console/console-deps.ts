import type { Db } from '../../core/db/connect';
import type { ConnectorRegistry } from '../../core/connectors/registry';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { NumberDirectory } from '../../core/inbox/number-directory';
import type { LocalFolderBlobStore } from '../../core/media/blob-store';
import type { Logger } from '../../core/observability/logger';
import type { GraphClient } from '../../core/whatsapp/graph-client';
import type { Config } from '../config';

/** What the console's pages are built from; each page takes what it needs. */
export interface ConsoleDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  directory: NumberDirectory;
  registry: ConnectorRegistry;
  blobs: LocalFolderBlobStore;
  logger: Logger;
  config: Config;
  /** The self-hosted workspace: the one the admin token signs in to. */
  workspaceId: string;
}
