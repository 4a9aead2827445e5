import type { Lang } from './pages';

/** A server admin role's name (docs/protocol.md "Admin API"). */
export function roleName(role: string, lang: Lang): string {
  const names: Record<string, [string, string]> = {
    super_admin: ['Super admin', '超级管理员'],
    org_admin: ['Organization admin', '组织管理员'],
    auditor: ['Auditor', '审计员'],
  };
  const found = names[role];
  return found ? (lang === 'zh' ? found[1] : found[0]) : role;
}
