import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the conversations page (issue 8) is being written.
export function conversationsPage(_deps: ConsoleDeps): Router {
  return Router();
}
