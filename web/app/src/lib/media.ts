/**
 * What the chat shows of voice, video, location and card messages: durations, coordinates,
 * map and card links, prices. Message bodies are untrusted (another client wrote them): every
 * link made here is checked to be http(s), and nothing here becomes HTML.
 */

/** "0:07", "1:05", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A link from a message body, if it is an absolute http(s) URL; null otherwise (javascript:, data:, junk). */
export function safeWebUrl(value: string | null | undefined): string | null {
  if (!value || value.length > 2000) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
}

/**
 * A picture on a host system's card is shown only when it comes from this server: the page's
 * CSP allows no other images, and loading one would tell a stranger's server who read the card.
 */
export function sameOriginImage(value: string | null | undefined, origin: string | null): string | null {
  const url = safeWebUrl(value);
  if (!url || !origin) return null;
  return new URL(url).origin === origin ? url : null;
}

function validCoordinates(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
}

/** "31.23042° N, 121.47370° E"; an area shared blurred shows fewer decimals, after "≈". */
export function coordinatesText(latitude: number, longitude: number, precise: boolean): string {
  if (!validCoordinates(latitude, longitude)) return '';
  const digits = precise ? 5 : 2;
  const lat = `${Math.abs(latitude).toFixed(digits)}° ${latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(longitude).toFixed(digits)}° ${longitude >= 0 ? 'E' : 'W'}`;
  return `${precise ? '' : '≈ '}${lat}, ${lon}`;
}

/**
 * The place on OpenStreetMap: a pin for a precise location, only the area (zoomed out, no
 * pin) for a blurred one. Built from numbers, so nothing from the message reaches the URL raw.
 */
export function mapUrl(latitude: number, longitude: number, precise: boolean): string | null {
  if (!validCoordinates(latitude, longitude)) return null;
  const lat = latitude.toFixed(precise ? 6 : 2);
  const lon = longitude.toFixed(precise ? 6 : 2);
  return precise
    ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`
    : `https://www.openstreetmap.org/#map=13/${lat}/${lon}`;
}

/** "¥128.00", "$19.90"; a price without a (valid) currency shows as a plain number. */
export function priceText(price: string | undefined, currency: string | undefined, locale: string): string | null {
  if (!price || !/^\d{1,12}(\.\d{1,4})?$/.test(price)) return null;
  const amount = Number(price);
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
    } catch {
      // An ISO-looking code the browser does not know.
    }
  }
  return price;
}

/** Where a card's link goes, for the card's footer: "shop.example.com". */
export function hostOf(url: string | null): string {
  if (!url) return '';
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
