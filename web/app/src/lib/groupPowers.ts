import type { PowerName, Role } from '@tidings/sdk';

/** Whether a member with this role and these powers holds one power (owners hold all). */
export function holds(role: Role, powers: readonly PowerName[], power: PowerName): boolean {
  return role === 'owner' || (role === 'admin' && powers.includes(power));
}
