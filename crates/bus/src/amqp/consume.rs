//! Consuming a lane: manual acknowledgement, a prefetch bound, and a subscription that comes
//! back by itself.
//!
//! Consumers use manual acks and `basic.qos(prefetch)`, each on a channel of its own. Each
//! delivery keeps its consumer's channel open, so dropping the [`Consumer`] stops deliveries
//! (`basic.cancel`) while in-flight work can still be settled; the channel closes — returning
//! anything left unsettled — once the consumer and all its deliveries are gone.
//!
//! When the channel or the connection drops, a consumer resubscribes by itself on a fresh
//! connection, with backoff (its `next` keeps waiting meanwhile; reconnects are logged), and it
//! declares the topology again as it does, so a queue deleted by hand comes back. Its `next`
//! returns `None` once [`AmqpQueue::close`] closed the queue.
//!
//! [`Delivery::redeliveries`] is the quorum queue's `x-delivery-count` header (absent on the
//! first delivery, so 0).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use futures_util::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use spotcheck_core::ports::{Consumer, Delivery, Lane, PortError};
use spotcheck_core::retry::Delays;
use tokio::sync::watch;

#[cfg(doc)]
use super::AmqpQueue;
use super::Inner;

use super::retry::{Failure, backoff};
use super::settle::AmqpAcker;
use super::topology::declare_topology;

/// A live subscription: the consumer's channel and its delivery stream.
struct Subscription {
    channel: Channel,
    stream: lapin::Consumer,
}

/// A consumer of one lane, on a channel of its own.
pub(super) struct AmqpConsumer {
    inner: Arc<Inner>,
    lane: Lane,
    prefetch: u16,
    tag: String,
    sub: Option<Subscription>,
    closed: watch::Receiver<bool>,
    backoff: Delays,
}

impl AmqpConsumer {
    /// The consumer [`AmqpQueue`]'s `Queue::consume` returns, subscribed before it is.
    pub(super) async fn start(
        inner: Arc<Inner>,
        lane: Lane,
        prefetch: u16,
    ) -> Result<AmqpConsumer, Failure> {
        let n = inner.consumers.fetch_add(1, Ordering::SeqCst) + 1;
        let mut consumer = AmqpConsumer {
            lane,
            prefetch: prefetch.max(1),
            tag: format!("spotcheck-{}-{}-{n}", inner.names.ns, lane.name()),
            sub: None,
            closed: inner.closed.subscribe(),
            backoff: backoff(&inner.opts),
            inner,
        };
        consumer.sub = Some(consumer.subscribe().await?);
        Ok(consumer)
    }

    async fn subscribe(&self) -> Result<Subscription, Failure> {
        let link = self.inner.link().await?;
        let channel = link
            .connection
            .create_channel()
            .await
            .map_err(|e| Failure::from_lapin("opening a consumer channel", &e))?;
        // Declared again so a consumer heals a queue deleted by hand.
        declare_topology(&channel, &self.inner.names, &self.inner.opts).await?;
        channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await
            .map_err(|e| Failure::from_lapin("setting the prefetch", &e))?;
        let queue = self.inner.names.queue(self.lane);
        let stream = channel
            .basic_consume(
                queue.into(),
                self.tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| Failure::from_lapin(&format!("consuming {queue}"), &e))?;
        Ok(Subscription { channel, stream })
    }
}

#[async_trait]
impl Consumer for AmqpConsumer {
    /// Never yields an error: while the broker is away it waits, resubscribing with backoff
    /// (and logging each attempt), and returns `None` only once the queue is closed.
    async fn next(&mut self) -> Option<Result<Delivery, PortError>> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            let Some(sub) = self.sub.as_mut() else {
                match self.subscribe().await {
                    Ok(sub) => {
                        tracing::info!(lane = self.lane.name(), "consumer resubscribed");
                        self.backoff = backoff(&self.inner.opts);
                        self.sub = Some(sub);
                    }
                    Err(f) => {
                        let wait = self.backoff.next_delay();
                        let why = match f {
                            Failure::Retry(why) => why,
                            Failure::Fatal(e) => e.to_string(),
                        };
                        tracing::warn!(
                            lane = self.lane.name(),
                            error = %why,
                            retry_in_ms = wait.as_millis() as u64,
                            "cannot subscribe; retrying"
                        );
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = self.closed.changed() => {}
                        }
                    }
                }
                continue;
            };
            let item = tokio::select! {
                item = sub.stream.next() => item,
                _ = self.closed.changed() => continue,
            };
            match item {
                Some(Ok(d)) => {
                    let redeliveries = delivery_count(&d.properties);
                    return Some(Ok(Delivery::encoded(
                        d.data,
                        redeliveries,
                        Box::new(AmqpAcker::new(d.acker, sub.channel.clone())),
                    )));
                }
                Some(Err(e)) => {
                    tracing::warn!(lane = self.lane.name(), error = %e, "consumer lost; resubscribing");
                    self.sub = None;
                }
                None => {
                    tracing::warn!(lane = self.lane.name(), "consumer cancelled; resubscribing");
                    self.sub = None;
                }
            }
        }
    }
}

/// The quorum queue's count of earlier deliveries (`x-delivery-count`), 0 when absent.
fn delivery_count(props: &BasicProperties) -> u32 {
    let Some(headers) = props.headers() else {
        return 0;
    };
    let n: i128 = match headers.inner().get("x-delivery-count") {
        Some(AMQPValue::ShortShortInt(n)) => (*n).into(),
        Some(AMQPValue::ShortShortUInt(n)) => (*n).into(),
        Some(AMQPValue::ShortInt(n)) => (*n).into(),
        Some(AMQPValue::ShortUInt(n)) => (*n).into(),
        Some(AMQPValue::LongInt(n)) => (*n).into(),
        Some(AMQPValue::LongUInt(n)) => (*n).into(),
        Some(AMQPValue::LongLongInt(n)) => (*n).into(),
        _ => 0,
    };
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::topology::table;
    use super::*;

    #[test]
    fn delivery_count_reads_any_integer_header() {
        assert_eq!(delivery_count(&BasicProperties::default()), 0);
        let props = BasicProperties::default()
            .with_headers(table(vec![("x-delivery-count", AMQPValue::LongLongInt(3))]));
        assert_eq!(delivery_count(&props), 3);
        let props = BasicProperties::default()
            .with_headers(table(vec![("x-delivery-count", AMQPValue::LongInt(-1))]));
        assert_eq!(delivery_count(&props), 0);
    }
}
