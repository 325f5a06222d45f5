import type { TaskList } from 'graphile-worker';
import { ERASE_CONTACT_TASK, eraseContactTask, type EraseContactDeps } from './erase-contact';
import { RETENTION_TASK, retentionTask } from './retention';

export { RETENTION_CRONTAB } from './retention';

/** The worker's privacy jobs: contact erasures (queued by the admin API) and the daily retention sweep. */
export function privacyTasks(deps: EraseContactDeps): TaskList {
  return { [ERASE_CONTACT_TASK]: eraseContactTask(deps), [RETENTION_TASK]: retentionTask(deps) };
}
