/** Reporting a message, a person or a group (K7): a reason from a fixed list and a note. */
import { REPORT_REASONS } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { NOTE_MAX, type ReportViewModel } from '../viewmodels/ReportViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Modal } from './Modal';

export function ReportDialog({ vm, t, onClose }: { vm: ReportViewModel; t: Translate; onClose(): void }) {
  const s = useViewModel(vm);
  return (
    <Modal title={t('report.title')} onClose={onClose} testId="report-dialog">
      {s.done ? (
        <div className="report-form">
          <p data-testid="report-sent">{t('report.sent')}</p>
          <div className="modal-actions">
            <button className="primary" onClick={onClose}>{t('common.close')}</button>
          </div>
        </div>
      ) : (
        <form
          className="report-form"
          onSubmit={(e) => {
            e.preventDefault();
            void vm.submit();
          }}
        >
          {s.label && <p className="muted report-what">{t('report.what', { label: s.label.length > 80 ? `${s.label.slice(0, 80)}…` : s.label })}</p>}
          <fieldset className="report-reasons">
            <legend>{t('report.reason')}</legend>
            {REPORT_REASONS.map((reason) => (
              <label key={reason} className="report-reason">
                <input type="radio" name="report-reason" value={reason} checked={s.reason === reason} onChange={() => vm.setReason(reason)} data-testid={`report-reason-${reason}`} />
                {t(`report.reason.${reason}`)}
              </label>
            ))}
          </fieldset>
          <label className="report-note">
            <span>{t('report.note')}</span>
            <textarea rows={3} maxLength={NOTE_MAX} value={s.note} onChange={(e) => vm.setNote(e.target.value)} data-testid="report-note" />
          </label>
          {s.error && <p className="form-error">{errorMessage(t, s.error)}</p>}
          <div className="modal-actions">
            <button type="button" onClick={onClose}>{t('common.cancel')}</button>
            <button type="submit" className="primary" disabled={s.reason === null || s.busy} data-testid="report-send">{t('report.send')}</button>
          </div>
        </form>
      )}
    </Modal>
  );
}
