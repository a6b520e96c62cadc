//! Who may send now: the hub's send slots, shared by every fan-out, with alerts served first, and
//! a limit per push service, so one slow or hostile push service cannot hold them all.
//!
//! A subscription's endpoint names its push service (FCM, Mozilla, Apple … or anyone's server:
//! the public can create subscriptions). Every request takes a permit of its origin
//! ([`Origins`], at most `per_origin` in flight to one origin) and then a slot ([`Slots`], at
//! most `concurrency` in flight in all), and gives both back when its answer came: a
//! `Retry-After` or a backoff is waited out holding neither, so a stalling service keeps at most
//! `per_origin` slots and every other service keeps sending. Waiting alert sends get the next
//! free slot before waiting reminder sends.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// Which sends go first when slots are scarce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Alerts (urgency `high`).
    Alert,
    /// Garbage reminders and anything else.
    Reminder,
}

/// The hub's send slots: a counting semaphore whose waiters are served by priority (and in
/// arrival order within one).
#[derive(Debug)]
pub struct Slots {
    state: Mutex<SlotState>,
}

#[derive(Debug)]
struct SlotState {
    free: usize,
    alerts: VecDeque<oneshot::Sender<()>>,
    reminders: VecDeque<oneshot::Sender<()>>,
}

/// A taken slot; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.give_back();
    }
}

impl Slots {
    pub fn new(n: usize) -> Arc<Slots> {
        Arc::new(Slots {
            state: Mutex::new(SlotState {
                free: n.max(1),
                alerts: VecDeque::new(),
                reminders: VecDeque::new(),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a slot.
    pub async fn take(self: &Arc<Self>, priority: Priority) -> Slot {
        let receiver = {
            let mut s = self.lock();
            // A free slot goes to this caller only when no one of its priority or higher waits.
            let ahead =
                !s.alerts.is_empty() || (priority == Priority::Reminder && !s.reminders.is_empty());
            if s.free > 0 && !ahead {
                s.free -= 1;
                return Slot {
                    slots: self.clone(),
                };
            }
            let (tx, rx) = oneshot::channel();
            match priority {
                Priority::Alert => s.alerts.push_back(tx),
                Priority::Reminder => s.reminders.push_back(tx),
            }
            rx
        };
        let mut waiter = Waiter {
            slots: self.clone(),
            receiver: Some(receiver),
        };
        let receiver = waiter.receiver.as_mut().expect("set above");
        // The sender is dropped only by `give_back` after sending, so this always gets `()`.
        let _ = receiver.await;
        waiter.receiver = None;
        Slot {
            slots: self.clone(),
        }
    }

    fn give_back(&self) {
        let mut s = self.lock();
        loop {
            let next = s.alerts.pop_front().or_else(|| s.reminders.pop_front());
            match next {
                // Handed over; a waiter that gave up meanwhile returns it (see `Waiter`).
                Some(tx) => {
                    if tx.send(()).is_ok() {
                        return;
                    }
                }
                None => {
                    s.free += 1;
                    return;
                }
            }
        }
    }
}

/// A caller waiting for a slot; if it stops waiting (its task was cancelled) after a slot was
/// handed to it, the slot is given back.
struct Waiter {
    slots: Arc<Slots>,
    receiver: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut rx) = self.receiver.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.slots.give_back();
            }
        }
    }
}

/// A permit per push service (origin), `per_origin` at a time.
#[derive(Debug)]
pub struct Origins {
    per_origin: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Origins {
    pub fn new(per_origin: usize) -> Origins {
        Origins {
            per_origin: per_origin.max(1),
            semaphores: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a permit to send to `origin`.
    pub async fn take(&self, origin: &str) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut map = self.semaphores.lock().unwrap_or_else(|p| p.into_inner());
            // Origins nobody is sending to are dropped now and then, so a public that makes up
            // endpoints cannot grow the map for ever.
            if map.len() > 1024 {
                let full = self.per_origin;
                map.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < full);
            }
            map.entry(origin.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_origin)))
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn waiting_alerts_get_the_next_slot_before_waiting_reminders() {
        let slots = Slots::new(1);
        let held = slots.take(Priority::Reminder).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, priority) in [
            ("reminder-1", Priority::Reminder),
            ("reminder-2", Priority::Reminder),
            ("alert", Priority::Alert),
        ] {
            let (slots, order) = (slots.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _slot = slots.take(priority).await;
                order.lock().unwrap().push(name);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }));
            // Queued in this order.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            ["alert", "reminder-1", "reminder-2"]
        );
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_lose_the_slot() {
        let slots = Slots::new(1);
        let held = slots.take(Priority::Alert).await;
        let waiting = {
            let slots = slots.clone();
            tokio::spawn(async move { slots.take(Priority::Alert).await })
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        waiting.abort();
        let _ = waiting.await;
        drop(held);
        // The one slot is free again.
        tokio::time::timeout(Duration::from_secs(1), slots.take(Priority::Reminder))
            .await
            .expect("the slot came back");
    }

    #[tokio::test]
    async fn one_origin_cannot_take_more_than_its_share() {
        let origins = Origins::new(2);
        let _a = origins.take("https://slow.example").await;
        let _b = origins.take("https://slow.example").await;
        let third = tokio::time::timeout(
            Duration::from_millis(20),
            origins.take("https://slow.example"),
        );
        assert!(
            third.await.is_err(),
            "a third permit for the same origin waits"
        );
        let _other = tokio::time::timeout(
            Duration::from_millis(20),
            origins.take("https://fcm.example"),
        )
        .await
        .expect("another origin is not held up");
    }
}
