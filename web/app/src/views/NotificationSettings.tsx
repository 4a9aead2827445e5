/**
 * Settings kept on the server (issue 12): notification choices, do-not-disturb schedules
 * (PRODUCT.md H2) and keyboard shortcuts (I13). Rendered inside the Settings screen.
 */
import type { DndSchedule, ShortcutAction, UserId } from '@tidings/sdk';
import { useEffect, useState, type ReactNode } from 'react';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { browserTimeZone, dndActive } from '../lib/dnd';
import { bindable, comboLabel, comboOf, conflictOf, DEFAULT_SHORTCUTS, SHORTCUT_ACTIONS } from '../lib/shortcuts';
import type { PushState } from '../lib/webPush';
import type { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import type { ServerSettingsViewModel } from '../viewmodels/ServerSettingsViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Toggle } from './AlertChoices';

type PresetKind = 'work' | 'night' | 'weekend';
const PRESETS: Record<PresetKind, { label: MessageKey; schedule: DndSchedule }> = {
  work: { label: 'settings.dndWork', schedule: { kind: 'work', enabled: true, days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' } },
  night: { label: 'settings.dndNight', schedule: { kind: 'night', enabled: true, days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '07:00' } },
  weekend: { label: 'settings.dndWeekend', schedule: { kind: 'weekend', enabled: true, days: [6, 7], start: '00:00', end: '00:00' } },
};
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const ACTION_KEYS: Record<ShortcutAction, MessageKey> = {
  send: 'settings.shortcutSend',
  screenshot: 'settings.shortcutScreenshot',
  search: 'settings.shortcutSearch',
  next_unread: 'settings.shortcutNextUnread',
};
const PUSH_NOTES: Partial<Record<PushState, MessageKey>> = {
  unsupported: 'settings.pushUnsupported',
  no_worker: 'settings.pushNoWorker',
  server_off: 'settings.pushServerOff',
  denied: 'settings.systemBlocked',
  failed: 'settings.pushFailed',
};

function timeZones(current: string): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return supported.includes(current) ? supported : [current, ...supported];
}

interface Props {
  vm: ServerSettingsViewModel;
  preferences: PreferencesViewModel;
  t: Translate;
  nameOf(id: UserId): string;
}

/** Extra rows of the Notifications card, then the Do-not-disturb and Shortcuts cards. */
export default function NotificationSettings({ vm, preferences, t, nameOf }: Props) {
  const s = useViewModel(vm);
  const p = useViewModel(preferences);
  const notifications = vm.notifications();
  const dnd = s.settings.dnd ?? {};
  const schedules = dnd.schedules ?? [];
  const zone = dnd.time_zone ?? browserTimeZone();
  const exceptions = { mentions: true, starred: true, ...dnd.exceptions };
  const pushNote = PUSH_NOTES[s.push];

  const setSchedules = (next: DndSchedule[]) => void vm.change({ dnd: { schedules: next, time_zone: zone } });
  const schedule = (kind: PresetKind) => schedules.find((x) => x.kind === kind);
  const putSchedule = (kind: PresetKind, change: Partial<DndSchedule>) => {
    const current = schedule(kind) ?? PRESETS[kind].schedule;
    const next = { ...current, ...change };
    setSchedules(schedule(kind) ? schedules.map((x) => (x.kind === kind ? next : x)) : [...schedules, next]);
  };
  const quietNow = dndActive(dnd, Date.now());

  return (
    <>
      <div className="settings-card" data-testid="server-notification-settings">
        <Row label={t('settings.notificationsOn')}>
          <Toggle on={notifications.enabled} label={t('settings.notificationsOn')} testId="notifications-enabled" onChange={(on) => void vm.change({ notifications: { enabled: on } })} />
        </Row>
        <Row label={t('settings.preview')}>
          <Toggle on={notifications.preview} label={t('settings.preview')} testId="notifications-preview" onChange={(on) => void vm.change({ notifications: { preview: on } })} />
        </Row>
        <Row label={t('settings.push')}>
          <div className="settings-stack">
            <Toggle on={s.push === 'on'} label={t('settings.push')} testId="push-enabled" onChange={(on) => void vm.setPush(on)} />
            {pushNote && <span className="settings-note" data-testid="push-note">{t(pushNote)}</span>}
          </div>
        </Row>
        <p className="settings-intro">{t('settings.syncedNote')}</p>
        {s.error && s.error !== 'offline' && <p className="form-error" role="alert">{t('settings.syncFailed', { reason: errorMessage(t, s.error) })}</p>}
      </div>

      <h3 className="settings-heading" data-testid="dnd-heading">{t('settings.dnd')}</h3>
      <div className="settings-card" data-testid="dnd-settings">
        <p className="settings-intro">{t('settings.dndHint')}</p>
        {quietNow && (
          <p className="dnd-now" role="status" data-testid="dnd-now">
            <span aria-hidden>☾</span> {t('settings.dndNow')}
          </p>
        )}
        {(Object.keys(PRESETS) as PresetKind[]).map((kind) => {
          const current = schedule(kind);
          const on = current !== undefined && current.enabled !== false;
          const shown = current ?? PRESETS[kind].schedule;
          return (
            <div className={`dnd-schedule${on ? ' on' : ''}`} key={kind} data-testid={`dnd-${kind}`}>
              <div className="settings-row">
                <span className="settings-label">{t(PRESETS[kind].label)}</span>
                <Toggle on={on} label={t(PRESETS[kind].label)} testId={`dnd-${kind}-toggle`} onChange={(enabled) => putSchedule(kind, { enabled })} />
              </div>
              {on && (
                <div className="dnd-detail">
                  <div className="day-chips" role="group" aria-label={t(PRESETS[kind].label)}>
                    {DAYS.map((day) => {
                      const picked = shown.days.includes(day);
                      return (
                        <button
                          key={day}
                          className={`day-chip${picked ? ' active' : ''}`}
                          aria-pressed={picked}
                          onClick={() => putSchedule(kind, { days: picked ? shown.days.filter((d) => d !== day) : [...shown.days, day].sort() })}
                        >
                          {t(`settings.day${day}` as MessageKey)}
                        </button>
                      );
                    })}
                  </div>
                  <div className="dnd-times">
                    <input type="time" value={shown.start} aria-label={`${t(PRESETS[kind].label)} start`} onChange={(e) => e.target.value && putSchedule(kind, { start: e.target.value })} data-testid={`dnd-${kind}-start`} />
                    <span>{t('settings.dndTo')}</span>
                    <input type="time" value={shown.end} aria-label={`${t(PRESETS[kind].label)} end`} onChange={(e) => e.target.value && putSchedule(kind, { end: e.target.value })} data-testid={`dnd-${kind}-end`} />
                  </div>
                </div>
              )}
            </div>
          );
        })}
        <Row label={t('settings.dndTimeZone')}>
          <select className="zone-select" value={zone} onChange={(e) => void vm.change({ dnd: { time_zone: e.target.value } })} data-testid="dnd-zone">
            {timeZones(zone).map((z) => (
              <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>
            ))}
          </select>
        </Row>
        <div className="settings-subheading">{t('settings.dndExceptions')}</div>
        <Row label={t('settings.dndMentions')}>
          <Toggle on={exceptions.mentions} label={t('settings.dndMentions')} testId="dnd-mentions" onChange={(on) => void vm.change({ dnd: { exceptions: { ...exceptions, mentions: on } } })} />
        </Row>
        <Row label={t('settings.dndStarred')}>
          <Toggle on={exceptions.starred} label={t('settings.dndStarred')} testId="dnd-starred" onChange={(on) => void vm.change({ dnd: { exceptions: { ...exceptions, starred: on } } })} />
        </Row>
        <div className="starred-list" data-testid="starred-list">
          <span className="settings-label">{t('settings.starredList')}</span>
          {vm.starred().length === 0 ? (
            <span className="settings-note">{t('settings.noStarred')}</span>
          ) : (
            <ul>
              {vm.starred().map((id) => (
                <li key={id}>
                  <span className="star-mark" aria-hidden>★</span> {nameOf(id)}
                  <button className="link-button" onClick={() => void vm.setStarred(id, false)}>{t('settings.unstar')}</button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      <h3 className="settings-heading">{t('settings.shortcuts')}</h3>
      <ShortcutSettings vm={vm} t={t} sendKey={p.sendKey} onSendKey={(v) => preferences.set('sendKey', v)} />
    </>
  );
}

function ShortcutSettings({ vm, t, sendKey, onSendKey }: { vm: ServerSettingsViewModel; t: Translate; sendKey: 'enter' | 'ctrlEnter'; onSendKey(v: 'enter' | 'ctrlEnter'): void }) {
  useViewModel(vm);
  const bindings = vm.shortcuts();
  const [recording, setRecording] = useState<ShortcutAction | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (recording === null) return;
    const onKey = (event: KeyboardEvent) => {
      event.preventDefault();
      event.stopPropagation();
      if (event.key === 'Escape') {
        setRecording(null);
        return;
      }
      const combo = comboOf(event);
      if (combo === null) return;
      if (!bindable(combo)) {
        setProblem(t('settings.shortcutNeedsModifier'));
        return;
      }
      const taken = conflictOf(bindings, recording, combo);
      if (taken) {
        setProblem(t('settings.shortcutConflict', { combo: comboLabel(combo), action: t(ACTION_KEYS[taken]) }));
        return;
      }
      setProblem(null);
      setRecording(null);
      void vm.setShortcut(recording, combo);
    };
    // Capture: the recorder hears the keys before the shortcuts themselves (which then skip them).
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [recording, bindings, vm, t]);

  return (
    <div className="settings-card" data-testid="shortcut-settings">
      {SHORTCUT_ACTIONS.map((action) => (
        <Row key={action} label={t(ACTION_KEYS[action])}>
          {action === 'send' ? (
            <div className="segmented" role="radiogroup" data-testid="shortcut-send">
              {(['enter', 'ctrlEnter'] as const).map((value) => (
                <button key={value} role="radio" aria-checked={sendKey === value} className={sendKey === value ? 'active' : ''} onClick={() => onSendKey(value)} data-value={value}>
                  {value === 'enter' ? t('settings.sendEnter') : t('settings.sendCtrlEnter')}
                </button>
              ))}
            </div>
          ) : (
            <div className="shortcut-cell">
              <button
                className={`shortcut-key${recording === action ? ' recording' : ''}`}
                onClick={() => {
                  setProblem(null);
                  setRecording(recording === action ? null : action);
                }}
                aria-label={t('settings.shortcutChange', { action: t(ACTION_KEYS[action]) })}
                data-testid={`shortcut-${action}`}
                data-combo={bindings[action]}
              >
                {recording === action ? t('settings.shortcutPress') : <kbd>{comboLabel(bindings[action])}</kbd>}
              </button>
              {bindings[action] !== DEFAULT_SHORTCUTS[action] && (
                <button className="link-button" onClick={() => void vm.setShortcut(action, DEFAULT_SHORTCUTS[action])}>{t('settings.shortcutReset')}</button>
              )}
            </div>
          )}
        </Row>
      ))}
      {problem && <p className="form-error" role="alert" data-testid="shortcut-problem">{problem}</p>}
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="settings-row">
      <span className="settings-label">{label}</span>
      {children}
    </div>
  );
}
