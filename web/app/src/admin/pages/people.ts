/**
 * The shapes the users and groups pages read (docs/protocol.md "Admin API: users and groups")
 * and the department list both pages pick from.
 */
import type { AdminApi } from '../AdminApi';

export interface UserDepartment {
  id: number;
  name: string;
  path: string;
  position: string;
}

export interface ListedUser {
  id: number;
  account: string;
  nickname: string;
  avatar: string;
  phone: string;
  work_email: string;
  status: 'active' | 'frozen';
  admin_role: string | null;
  created_at: number;
  last_sign_in: { at: number; ip: string; device: string } | null;
  password_change_required: boolean;
  departments: UserDepartment[];
}

export interface AdminSession {
  id: number;
  platform: string;
  device_name: string;
  created_at: number;
  last_seen_at: number;
  ip: string;
}

export interface UserDetails extends ListedUser {
  signature: string;
  office_phone: string;
  desk: string;
  sessions: AdminSession[];
  known_devices: { id: number; device_name: string; platform: string; last_used_at: number; last_ip: string }[];
}

export interface UserPage {
  users: ListedUser[];
  next_cursor: string | null;
  total?: number;
}

export interface ListedGroup {
  id: number;
  number: number;
  name: string;
  avatar: string;
  created_at: number;
  owner: { id: number; account: string; nickname: string } | null;
  member_count: number;
  size_limit: number;
  own_size_limit: number | null;
  join_mode: string;
  disbanded_at: number | null;
}

export interface GroupMember {
  user_id: number;
  role: 'owner' | 'admin' | 'member';
  nickname: string;
  avatar: string;
  muted_until: number | null;
}

export interface GroupDetails extends ListedGroup {
  intro: string;
  server_size_limit: number;
  members: GroupMember[];
  next_after_user_id: number | null;
}

export interface DepartmentChoice {
  id: number;
  path: string;
}

/** Every department with its full path, sorted by path, for pickers. */
export async function departmentChoices(api: AdminApi): Promise<DepartmentChoice[]> {
  const tree = await api.raw<{ departments: { id: number; parent_id: number | null; name: string }[] }>('GET', '/api/v1/org');
  const byId = new Map(tree.departments.map((d) => [d.id, d]));
  const path = (id: number): string => {
    const names: string[] = [];
    for (let d = byId.get(id), depth = 0; d && depth < 64; d = d.parent_id === null ? undefined : byId.get(d.parent_id), depth++) names.unshift(d.name);
    return names.join(' / ');
  };
  return tree.departments.map((d) => ({ id: d.id, path: path(d.id) })).sort((a, b) => a.path.localeCompare(b.path));
}

/** The message of a refusal, in the console's language where the code is a common one. */
export function refusal(error: unknown, t: (en: string, zh: string) => string): string {
  const code = (error as { code?: string }).code ?? '';
  const words: Record<string, [string, string]> = {
    forbidden: ['You may not do this.', '你没有权限执行此操作。'],
    not_found: ['It no longer exists.', '对象不存在或已被删除。'],
    account_taken: ['This account is taken.', '该账号已被占用。'],
    weak_password: ['The password is too weak.', '密码强度不够。'],
    conflict: ['Nothing to do: it is so already.', '无需操作：已是该状态。'],
    group_full: ['The group is full.', '群已满员。'],
    group_disbanded: ['This group was disbanded.', '该群已解散。'],
    bad_file: ['This file cannot be read as CSV or XLSX.', '无法读取该文件（需 CSV 或 XLSX）。'],
    network_error: ['The server cannot be reached.', '无法连接服务器。'],
  };
  const found = words[code];
  const message = (error as { message?: string }).message ?? String(error);
  return found ? t(found[0], found[1]) : message;
}
