// Web Push glue for Machi: only what Rust cannot do well, the browser's own push objects
// (support, permission, pushManager). The hub's subscription API is called from Rust
// (src/push.rs) with the request and response types of machi-data's `push` module.

/// "unsupported" (no service worker or Push API: e.g. iOS Safari outside the Home Screen), or the
/// notification permission: "default", "granted" or "denied".
export function pushSupport() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  return Notification.permission;
}

/// Asks for permission (only now: the resident has just tapped a topic): "granted", "denied" or
/// "default" (dismissed).
export async function pushPermission() {
  return await Notification.requestPermission();
}

/// The browser's push subscription (made with the hub's base64url key when there is none yet):
/// `[endpoint, p256dh, auth]` from `PushSubscription.toJSON()`.
export async function pushSubscribe(publicKey) {
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const b64 = publicKey.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: Uint8Array.from(raw, (c) => c.charCodeAt(0)),
    });
  }
  const { endpoint, keys } = subscription.toJSON();
  return [endpoint, keys.p256dh, keys.auth];
}

/// Ends the browser's push subscription, if there is one.
export async function pushUnsubscribe() {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) await subscription.unsubscribe();
}
