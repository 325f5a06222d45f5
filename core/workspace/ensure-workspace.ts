import type { Db } from '../db/connect';

export interface Workspace {
  id: string;
  name: string;
  slug: string;
}

/** The self-hosted install's workspace: the one the admin token acts on. Created on first start. */
export async function ensureWorkspace(db: Db, slug = 'default', name = 'Default workspace'): Promise<Workspace> {
  await db('workspace').insert({ slug, name }).onConflict('slug').ignore();
  const row: Workspace | undefined = await db('workspace').where({ slug }).first('id', 'name', 'slug');
  if (!row) throw new Error(`Workspace ${slug} could not be created`);
  return row;
}
