/** The password lock and the avatar pictures of one workspace (h/me); the Me page makes its own. */
import { useEffect, useMemo } from 'react';
import { AvatarImages } from '../viewmodels/AvatarImages';
import { LockViewModel } from '../viewmodels/LockViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

export interface MeModels {
  avatars: AvatarImages;
  lock: LockViewModel;
}

export function useMeModels(workspace: WorkspaceViewModel): MeModels {
  const models = useMemo(
    () => ({
      avatars: new AvatarImages(workspace.names, workspace.links),
      lock: new LockViewModel(workspace.client),
    }),
    [workspace],
  );
  useEffect(
    () => () => {
      models.avatars.dispose();
      models.lock.dispose();
    },
    [models],
  );
  return models;
}
