import { knownKey, type MessageKey, type Translate } from '../i18n/i18n';

/** Why the server refused a new password (`weak_password` reasons), translated one per line. */
export function PasswordReasons({ reasons, t }: { reasons: readonly string[]; t: Translate }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="password-reasons" data-testid="password-reasons">
      {reasons.map((reason) => {
        const key = `passwordReason.${reason}` as MessageKey;
        return <li key={reason}>{knownKey(key) ? t(key) : t('passwordReason.other', { reason })}</li>;
      })}
    </ul>
  );
}
