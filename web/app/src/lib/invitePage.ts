/** The invite code of an invite link's page (`/invite/CODE`), or null on any other page. */
export function invitePageCode(pathname: string): string | null {
  const match = /^\/invite\/([A-Za-z0-9_-]{8,64})\/?$/.exec(pathname);
  return match?.[1] ?? null;
}
