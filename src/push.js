// Web Push glue for Machi: the browser's push subscription and the hub's subscription API
// (crates/machi-hub/src/push/api.rs). Plain JavaScript because every call is a browser promise
// or a fetch; the Rust side (src/push.rs) only chooses what to call and keeps the result.

/// "unsupported" (no service worker or Push API: e.g. iOS Safari outside the Home Screen), or the
/// notification permission: "default", "granted" or "denied".
export function pushSupport() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  return Notification.permission;
}

async function api(method, path, secret, body) {
  const headers = { "content-type": "application/json" };
  if (secret) headers.authorization = `Bearer ${secret}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.code || `http_${response.status}`);
  return json;
}

function base64UrlBytes(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/// The hub's request body: where, in which language, and which topics (`alerts` is the minimum
/// severity or "" for none; `evening` the hour or -1 for none).
export function pushRequest(city, area, language, alerts, evening, morning) {
  const topics = {};
  if (alerts) topics.alerts = { min_severity: alerts };
  if (evening >= 0 || morning) topics.garbage = { evening_hour: evening >= 0 ? evening : null, morning };
  return JSON.stringify({ city, area, language, topics });
}

/// Asks for permission (only now: the resident has just tapped a topic), subscribes with the
/// hub's key and registers {city, area, language, topics}. Resolves to JSON {id, secret}.
export async function pushEnable(request) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error(permission === "denied" ? "denied" : "dismissed");
  const { public_key } = await api("GET", "/api/push/key");
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(public_key),
    });
  }
  const body = JSON.parse(request);
  body.subscription = subscription.toJSON();
  const created = await api("POST", "/api/push/subscriptions", null, body);
  return JSON.stringify({ id: created.id, secret: created.secret });
}

/// Changes topics, area or language of a subscription.
export async function pushUpdate(id, secret, request) {
  await api("PATCH", `/api/push/subscriptions/${encodeURIComponent(id)}`, secret, JSON.parse(request));
}

/// Deletes the subscription at the hub (already gone is fine) and in the browser.
export async function pushDisable(id, secret) {
  try {
    await api("DELETE", `/api/push/subscriptions/${encodeURIComponent(id)}`, secret);
  } catch (e) {
    if (e.message !== "not_found") throw e;
  }
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) await subscription.unsubscribe();
}
