import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the installations page (issue 8) is being written.
export function installationsPage(_deps: ConsoleDeps): Router {
  return Router();
}
