/** The Me page's view models, the lock and the avatar pictures of one workspace (h/me). */
import { useEffect, useMemo } from 'react';
import { AvatarImages } from '../viewmodels/AvatarImages';
import { LockViewModel } from '../viewmodels/LockViewModel';
import { MeViewModel } from '../viewmodels/MeViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

export interface MeModels {
  avatars: AvatarImages;
  me: MeViewModel;
  lock: LockViewModel;
}

export function useMeModels(workspace: WorkspaceViewModel): MeModels {
  const models = useMemo(
    () => ({
      avatars: new AvatarImages(workspace.names, workspace.links),
      me: new MeViewModel(workspace.client),
      lock: new LockViewModel(workspace.client),
    }),
    [workspace],
  );
  useEffect(
    () => () => {
      models.avatars.dispose();
      models.me.dispose();
      models.lock.dispose();
    },
    [models],
  );
  return models;
}
