import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the audit page (issue 8) is being written.
export function auditPage(_deps: ConsoleDeps): Router {
  return Router();
}
