/**
 * The brand colour (site settings, decision 0057) as the accent of a page: the chat app and the
 * admin console both set these CSS variables on their root element.
 */
export const COLOUR = /^#[0-9a-f]{6}$/i;

/** The brand colour as the accent (both themes): hover a little darker, the soft tint translucent. */
export function applyBrandColour(colour: string | null, root: Pick<HTMLElement, 'style'>): void {
  if (!colour || !COLOUR.test(colour)) {
    for (const name of ['--accent', '--accent-hover', '--accent-soft']) root.style.removeProperty(name);
    return;
  }
  root.style.setProperty('--accent', colour);
  root.style.setProperty('--accent-hover', `color-mix(in srgb, ${colour} 82%, #000)`);
  root.style.setProperty('--accent-soft', `color-mix(in srgb, ${colour} 16%, transparent)`);
}
