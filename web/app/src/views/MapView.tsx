/**
 * A map of one place, drawn by Leaflet from the server's tile source (decision 0032). Loaded
 * lazily (React.lazy): the chat's first JavaScript does not carry the map library.
 */
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './map-view.css';

export interface MapViewProps {
  tileUrl: string;
  attribution: string | null;
  maxZoom: number;
  latitude: number;
  longitude: number;
  /** False: an area (a circle of about a kilometre), not a pin. */
  precise: boolean;
  zoom?: number;
  /** False: a still picture of the place (a bubble); true: pan, zoom, pick. */
  interactive: boolean;
  /** Called with the point clicked (the picker). */
  onPick?(latitude: number, longitude: number): void;
  className?: string;
}

// An inline SVG pin: Leaflet's default marker images do not survive bundling.
const PIN = L.divIcon({
  className: 'map-pin',
  html: '<svg width="30" height="40" viewBox="0 0 30 40" aria-hidden="true"><path d="M15 39S3 24.5 3 14.5a12 12 0 0 1 24 0C27 24.5 15 39 15 39z" fill="#e0483e" stroke="#fff" stroke-width="2"/><circle cx="15" cy="14.5" r="4.5" fill="#fff"/></svg>',
  iconSize: [30, 40],
  iconAnchor: [15, 39],
});

export default function MapView({ tileUrl, attribution, maxZoom, latitude, longitude, precise, zoom, interactive, onPick, className }: MapViewProps) {
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const mark = useRef<L.Marker | L.Circle | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (!element.current) return;
    const made = L.map(element.current, {
      zoomControl: interactive,
      dragging: interactive,
      scrollWheelZoom: interactive,
      doubleClickZoom: interactive,
      touchZoom: interactive,
      boxZoom: interactive,
      keyboard: interactive,
      attributionControl: true,
    });
    made.attributionControl.setPrefix(false);
    L.tileLayer(tileUrl, { maxZoom, attribution: attribution ?? '' }).addTo(made);
    made.on('click', (event: L.LeafletMouseEvent) => pick.current?.(event.latlng.lat, event.latlng.lng));
    map.current = made;
    return () => {
      made.remove();
      map.current = null;
      mark.current = null;
    };
  }, [tileUrl, attribution, maxZoom, interactive]);

  useEffect(() => {
    const made = map.current;
    if (!made) return;
    mark.current?.remove();
    const at = L.latLng(latitude, longitude);
    mark.current = precise
      ? L.marker(at, { icon: PIN, interactive: false }).addTo(made)
      : L.circle(at, { radius: 700, color: '#2f6bff', weight: 2, fillOpacity: 0.15, interactive: false }).addTo(made);
    made.setView(at, zoom ?? (precise ? 16 : 13), { animate: false });
  }, [latitude, longitude, precise, zoom, tileUrl, attribution, maxZoom, interactive]);

  return <div ref={element} className={`map-view${className ? ` ${className}` : ''}`} data-testid="map-view" />;
}
