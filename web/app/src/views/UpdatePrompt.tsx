import type { Translate } from '../i18n/i18n';
import type { AppUpdateViewModel } from '../viewmodels/AppUpdateViewModel';
import { useViewModel } from '../viewmodels/useViewModel';

/** "A new version is ready — Reload": a bar at the top, above everything, until chosen. */
export function UpdatePrompt({ vm, t }: { vm: AppUpdateViewModel; t: Translate }) {
  const { ready } = useViewModel(vm);
  if (!ready) return null;
  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      <span>{t('update.ready')}</span>
      <button className="primary" onClick={() => vm.reload()} data-testid="update-reload">
        {t('update.reload')}
      </button>
      <button className="link-button" onClick={() => vm.later()} data-testid="update-later">
        {t('update.later')}
      </button>
    </div>
  );
}
