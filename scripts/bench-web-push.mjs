// Node's web-push (the library most Web Push servers use) sending the push benchmark's messages
// to the same local TLS push service, for comparison with the hub (crates/machi-hub/benches/push.rs
// runs this): node bench-web-push.mjs SUBSCRIPTIONS.json CONCURRENCY PAYLOAD, with
// NODE_EXTRA_CA_CERTS naming the benchmark's throw-away CA. Prints one line: messages/s and CPU
// µs per message of this process (encryption, VAPID, TLS and HTTP).
import { readFileSync } from "node:fs";
import webpush from "web-push";

const [file, concurrency, payload] = process.argv.slice(2);
const subscriptions = JSON.parse(readFileSync(file, "utf8"));
const vapid = webpush.generateVAPIDKeys();
const options = {
  vapidDetails: { subject: "mailto:bench@example.com", publicKey: vapid.publicKey, privateKey: vapid.privateKey },
  TTL: 3600,
  urgency: "high",
};
const start = performance.now();
const cpu = process.cpuUsage();
let next = 0;
let sent = 0;
async function worker() {
  while (next < subscriptions.length) {
    const sub = subscriptions[next++];
    const r = await webpush.sendNotification(sub, payload, options);
    if (r.statusCode === 201) sent++;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const wall = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
const cpuUs = (used.user + used.system) / subscriptions.length;
console.log(
  `push bench: Node web-push ${sent} of ${subscriptions.length}: ${(sent / wall).toFixed(0)} messages/s ` +
    `(${wall.toFixed(2)} s wall), CPU ${cpuUs.toFixed(1)} µs/message, one process`,
);
